package io.github.mocknacos.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.support.GenericApplicationContext;

import io.github.mocknacos.junit.MockNacosExtension;

class MockNacosSpringTest {
    @RegisterExtension
    static MockNacosExtension nacos = MockNacosExtension.builder().auth("nacos", "pw").build();

    @Test
    void dynamicPropertySource() {
        Map<String, Supplier<Object>> props = new LinkedHashMap<>();
        MockNacosSpring.register(props::put, nacos);
        assertEquals(nacos.serverAddr(), props.get("spring.cloud.nacos.discovery.server-addr").get());
        assertEquals(nacos.serverAddr(), props.get("spring.cloud.nacos.config.server-addr").get());
        assertEquals("127.0.0.1", props.get("spring.cloud.nacos.discovery.ip").get());
        assertEquals("nacos", props.get("spring.cloud.nacos.discovery.username").get());
        assertEquals("pw", props.get("spring.cloud.nacos.config.password").get());
    }

    @Test
    void initializer() {
        try (GenericApplicationContext ctx = new GenericApplicationContext()) {
            new MockNacosSpring.Initializer().initialize(ctx);
            assertEquals(nacos.serverAddr(), ctx.getEnvironment().getProperty("spring.cloud.nacos.discovery.server-addr"));
            assertEquals("127.0.0.1", ctx.getEnvironment().getProperty("spring.cloud.nacos.discovery.ip"));
            assertEquals("pw", ctx.getEnvironment().getProperty("spring.cloud.nacos.password"));
        }
    }
}
