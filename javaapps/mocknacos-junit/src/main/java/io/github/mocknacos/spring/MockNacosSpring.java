package io.github.mocknacos.spring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

import io.github.mocknacos.MockNacos;
import io.github.mocknacos.MockNacosException;

/**
 * Points a Spring Cloud Alibaba test context at a mock ({@link SpringProperties}).
 * <pre>
 * &#64;RegisterExtension
 * static MockNacosExtension nacos = MockNacosExtension.perClass();
 *
 * &#64;DynamicPropertySource                      // Spring Boot 2.2.6+ (Spring 5.2.5+)
 * static void nacosProperties(DynamicPropertyRegistry r) {
 *     MockNacosSpring.register(r, nacos);
 * }
 * </pre>
 * Older setups: {@code @ContextConfiguration(initializers = MockNacosSpring.Initializer.class)}
 * (the server most recently started in the JVM, {@link MockNacos#current()}).
 *
 * <p>Both apply when the application context is prepared, after Spring Boot
 * read its config files. Nacos config imported there
 * ({@code spring.config.import=nacos:...}) or read by the bootstrap context
 * (Spring Cloud Hoxton) is fetched earlier: use system properties then
 * ({@code @MockNacosTest(springSystemProperties = true)} or
 * {@code MockNacosExtension.builder().springSystemProperties()}).
 */
public final class MockNacosSpring {
    private MockNacosSpring() {
    }

    /** Adds the properties for the server the supplier gives (read lazily, when the context starts). */
    public static void register(DynamicPropertyRegistry registry, Supplier<MockNacos> nacos) {
        // The keys do not depend on the server but on whether auth is on,
        // which needs the server: the suppliers stay lazy by resolving it
        // at read time and answering "" for credentials when auth is off.
        String[] keys = {"spring.cloud.nacos.server-addr", "spring.cloud.nacos.discovery.server-addr",
            "spring.cloud.nacos.config.server-addr", "spring.cloud.nacos.discovery.ip"};
        for (String k : keys) {
            registry.add(k, () -> SpringProperties.of(resolve(nacos)).get(k));
        }
        for (String p : new String[] {"spring.cloud.nacos.", "spring.cloud.nacos.discovery.", "spring.cloud.nacos.config."}) {
            registry.add(p + "username", () -> resolve(nacos).username());
            registry.add(p + "password", () -> resolve(nacos).password());
        }
    }

    /** {@link #register(DynamicPropertyRegistry, Supplier)} with the server most recently started. */
    public static void register(DynamicPropertyRegistry registry) {
        register(registry, MockNacos::current);
    }

    private static MockNacos resolve(Supplier<MockNacos> s) {
        MockNacos m = s.get();
        if (m == null) {
            throw new MockNacosException("no mock Nacos is running: start it before the Spring context"
                    + " (a static @RegisterExtension field or @MockNacosTest)");
        }
        return m;
    }

    /** The properties for a server, as a map (for {@code SpringApplicationBuilder.properties}, ...). */
    public static Map<String, Object> properties(MockNacos nacos) {
        return Collections.<String, Object>unmodifiableMap(new LinkedHashMap<String, Object>(SpringProperties.of(nacos)));
    }

    /** See {@link SpringProperties#setSystemProperties}. */
    public static Runnable setSystemProperties(MockNacos nacos) {
        return SpringProperties.setSystemProperties(nacos);
    }

    /**
     * An initializer for setups without {@code @DynamicPropertySource}: adds
     * the properties of {@link MockNacos#current()} first in the environment.
     */
    public static class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            MockNacos nacos = resolve(MockNacos::current);
            context.getEnvironment().getPropertySources()
                    .addFirst(new MapPropertySource("mocknacos", properties(nacos)));
        }
    }
}
