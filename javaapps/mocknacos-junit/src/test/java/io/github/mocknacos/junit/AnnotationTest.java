package io.github.mocknacos.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.github.mocknacos.Instance;
import io.github.mocknacos.MockNacos;

class AnnotationTest {
    @Nested
    @MockNacosTest(serverVersion = "1.4", frozenClock = true, username = "nacos", password = "pw",
            springSystemProperties = true)
    class PerClass {
        MockNacos atStart;

        PerClass(MockNacos injected) {
            atStart = injected;
        }

        @Test
        void optionsApplied(MockNacos nacos) {
            assertSame(atStart, nacos);
            assertEquals("1.4", nacos.serverVersion());
            assertTrue(nacos.authEnabled());
            nacos.register("orders", Instance.of("127.0.0.1", 1));
            nacos.advance(Duration.ofSeconds(16));
            assertFalse(nacos.instances("orders").get(0).healthy(), "frozen clock: only advance moved it");
        }

        @Test
        void systemPropertiesSet(MockNacos nacos) {
            assertEquals(nacos.serverAddr(), System.getProperty("spring.cloud.nacos.discovery.server-addr"));
            assertEquals(nacos.serverAddr(), System.getProperty("spring.cloud.nacos.config.server-addr"));
            assertEquals("127.0.0.1", System.getProperty("spring.cloud.nacos.discovery.ip"));
            assertEquals("pw", System.getProperty("spring.cloud.nacos.config.password"));
        }
    }

    @Nested
    @MockNacosTest(lifecycle = MockNacosTest.Lifecycle.PER_METHOD)
    class PerMethod {
        @Test
        void one(MockNacos nacos) {
            assertTrue(nacos.isRunning());
            assertTrue(nacos.instances("orders").isEmpty());
            nacos.register("orders", Instance.of("127.0.0.1", 1));
        }

        @Test
        void two(MockNacos nacos) {
            assertTrue(nacos.instances("orders").isEmpty(), "a fresh server");
            nacos.register("orders", Instance.of("127.0.0.1", 1));
        }
    }

    @AfterAll
    static void systemPropertiesRemoved() {
        assertEquals(null, System.getProperty("spring.cloud.nacos.discovery.server-addr"));
    }
}
