package io.github.mocknacos.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.mocknacos.MockNacos;

/**
 * The Spring Cloud Alibaba properties that point an app at a mock: the
 * discovery and config server addresses, the instance's IP (127.0.0.1, so
 * the app registers an address the test machine reaches) and, when the mock
 * has authentication on, the credentials. Plain JDK: usable without Spring
 * on the classpath (system properties, command lines).
 */
public final class SpringProperties {
    private SpringProperties() {
    }

    public static Map<String, String> of(MockNacos nacos) {
        Map<String, String> m = new LinkedHashMap<>();
        String addr = nacos.serverAddr();
        m.put("spring.cloud.nacos.server-addr", addr);
        m.put("spring.cloud.nacos.discovery.server-addr", addr);
        m.put("spring.cloud.nacos.config.server-addr", addr);
        m.put("spring.cloud.nacos.discovery.ip", "127.0.0.1");
        if (nacos.authEnabled()) {
            for (String p : new String[] {"spring.cloud.nacos.", "spring.cloud.nacos.discovery.", "spring.cloud.nacos.config."}) {
                m.put(p + "username", nacos.username());
                m.put(p + "password", nacos.password());
            }
        }
        return m;
    }

    /**
     * Sets the properties as JVM system properties (read before any config
     * file, also by the bootstrap context and by spring.config.import).
     * Returns what to call to put the previous values back.
     */
    public static Runnable setSystemProperties(MockNacos nacos) {
        Map<String, String> old = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : of(nacos).entrySet()) {
            old.put(e.getKey(), System.getProperty(e.getKey()));
            System.setProperty(e.getKey(), e.getValue());
        }
        return () -> {
            for (Map.Entry<String, String> e : old.entrySet()) {
                if (e.getValue() == null) {
                    System.clearProperty(e.getKey());
                } else {
                    System.setProperty(e.getKey(), e.getValue());
                }
            }
        };
    }
}
