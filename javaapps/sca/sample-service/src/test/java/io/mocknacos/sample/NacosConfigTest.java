package io.mocknacos.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import io.github.mocknacos.MockNacos;
import io.github.mocknacos.junit.MockNacosTest;

/**
 * Nacos config through the embedded mock: the app reads sample.greeting from
 * the dataId sample-service.properties at startup, and a change published on
 * the mock refreshes the @RefreshScope bean. Config is fetched before
 * {@code @DynamicPropertySource} applies (spring.config.import, or Hoxton's
 * bootstrap context), so the server address goes in as system properties.
 */
@MockNacosTest(springSystemProperties = true)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.cloud.nacos.discovery.graceful-shutdown-wait-time=0")
@DirtiesContext
class NacosConfigTest {
    static final String DATA_ID = "sample-service.properties", GROUP = "DEFAULT_GROUP";

    /**
     * The sample app turns its config import on with NACOS_CONFIG_ENABLED. A
     * system property rather than a test property: a refresh reloads the
     * config imports in a copy of the environment that has the system
     * properties but not @SpringBootTest's properties.
     */
    @BeforeAll
    static void seed(MockNacos nacos) {
        System.setProperty("NACOS_CONFIG_ENABLED", "true");
        nacos.setConfig(DATA_ID, GROUP, "sample.greeting=hello");
    }

    @AfterAll
    static void configOff() {
        System.clearProperty("NACOS_CONFIG_ENABLED");
    }

    @Autowired
    Greeting greeting;

    @Test
    void aChangeRefreshesTheRefreshScopeBean(MockNacos nacos) {
        assertEquals("hello", greeting.get(), "read at startup");
        // No need to wait for the listener: whenever it starts listening, the
        // client compares the content it holds with the server's (by md5).
        nacos.setConfig(DATA_ID, GROUP, "sample.greeting=changed");
        MockNacos.waitFor(Duration.ofSeconds(30), () -> "changed".equals(greeting.get()),
                () -> "the bean still reads " + greeting.get());
    }
}
