package io.mocknacos.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.github.mocknacos.MockNacos;
import io.github.mocknacos.junit.MockNacosTest;
import io.github.mocknacos.spring.MockNacosSpring;

/** The README's example ("In a Java or Spring test") as it stands there, the app named orders. */
@MockNacosTest                                 // a mock for the class, started first, stopped last
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.application.name=orders", "spring.cloud.nacos.discovery.graceful-shutdown-wait-time=0"})
@DirtiesContext                                // the app stops (and deregisters) with the class, before its mock
class ReadmeExampleTest {
    @DynamicPropertySource                     // discovery and config server-addr, discovery.ip=127.0.0.1
    static void nacos(DynamicPropertyRegistry r) { MockNacosSpring.register(r); }

    @Test
    void registers(MockNacos nacos, @Autowired DiscoveryClient discovery) {
        nacos.waitForInstances("orders", 1, Duration.ofSeconds(10)); // the app (spring.application.name=orders) registered
        assertEquals(1, discovery.getInstances("orders").size());
    }
}
