package io.mocknacos.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.naming.NamingService;

import io.github.mocknacos.Event;
import io.github.mocknacos.Fault;
import io.github.mocknacos.Instance;
import io.github.mocknacos.MockNacos;
import io.github.mocknacos.Query;
import io.github.mocknacos.junit.MockNacosTest;
import io.github.mocknacos.spring.MockNacosSpring;

/**
 * sample-service against the embedded mock, for each Spring Cloud Alibaba
 * generation (mvn -P GENERATION,spring-tests test): it registers (after a
 * fault made the first registration fail), its DiscoveryClient sees it, and a
 * 1.x-style instance that never beats goes unhealthy and then away on the
 * mock clock, in the app's and in a subscribed client's view.
 * (@MockNacosTest comes before @SpringBootTest: the mock then stops after
 * the context closed, so the app deregisters from a live server.)
 */
@MockNacosTest(frozenClock = true)
// No 10 s wait after deregistering at close (Spring Cloud Alibaba 2023 and later).
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.cloud.nacos.discovery.graceful-shutdown-wait-time=0")
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NacosDiscoveryTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final boolean HTTP = "http".equals(System.getProperty("nacos.transport"));
    static NamingService consumer;

    @DynamicPropertySource
    static void nacos(DynamicPropertyRegistry registry) {
        MockNacosSpring.register(registry);
    }

    /** Before the app starts: its first registration fails with 503. */
    @BeforeAll
    static void failTheFirstRegistration(MockNacos nacos) {
        nacos.injectFault(HTTP
                ? Fault.path("/nacos/v1/ns/instance").method("POST").service("sample-service").status(503).count(1)
                : Fault.grpcType("InstanceRequest").service("sample-service").status(503).count(1));
    }

    @AfterAll
    static void closeConsumer() throws Exception {
        if (consumer != null) {
            consumer.shutDown();
        }
    }

    @Value("${local.server.port}") // @LocalServerPort moved package in Boot 3
    int port;

    @Autowired
    DiscoveryClient discovery;

    @Test
    @Order(1)
    void registersAfterARetry(MockNacos nacos) {
        List<Event> regs = nacos.waitForEvents(Query.kind(Event.REGISTER).service("sample-service"), 2, WAIT);
        assertFalse(regs.get(0).fault().isEmpty(), "the first registration met the fault: " + regs.get(0));
        assertEquals(HTTP ? "http" : "grpc", regs.get(0).protocol());
        Event ok = regs.get(1);
        assertTrue(ok.fault().isEmpty() && !ok.rejected(), "the retry got through: " + ok);
        assertEquals(port, ok.port());
        List<Instance> ins = nacos.waitForInstances("sample-service", 1, WAIT);
        assertEquals(port, ins.get(0).port());
        assertEquals("127.0.0.1", ins.get(0).ip());
        assertEquals(System.getProperty("sca.version"), ins.get(0).metadata().get("sca-version"));
    }

    @Test
    @Order(2)
    void discoveryClientSeesIt(MockNacos nacos, @Autowired DiscoveryClient client) { // the README's form
        nacos.waitForInstances("sample-service", 1, WAIT);
        MockNacos.waitFor(WAIT, () -> client.getInstances("sample-service").stream().anyMatch(i -> i.getPort() == port),
                () -> "DiscoveryClient: " + client.getInstances("sample-service"));
        ServiceInstance si = client.getInstances("sample-service").get(0);
        assertEquals("127.0.0.1", si.getHost());
    }

    @Test
    @Order(3)
    void anInstanceWithoutBeatsGoesUnhealthyThenAway(MockNacos nacos) throws Exception {
        nacos.register("billing", Instance.of("127.0.0.1", 19999));
        Properties p = new Properties();
        p.setProperty("serverAddr", nacos.serverAddr());
        consumer = NacosFactory.createNamingService(p);
        MockNacos.waitFor(WAIT, () -> count(consumer, "billing", true) == 1, () -> "subscribed client: billing healthy");
        MockNacos.waitFor(WAIT, () -> discovery.getInstances("billing").size() == 1, () -> "DiscoveryClient: billing");

        nacos.advance(Duration.ofSeconds(16)); // no beat for 16 s
        assertFalse(nacos.instances("billing").get(0).healthy());
        MockNacos.waitFor(WAIT, () -> count(consumer, "billing", false) == 1, () -> "subscribed client: billing unhealthy");
        MockNacos.waitFor(WAIT, () -> discovery.getInstances("billing").isEmpty(),
                () -> "DiscoveryClient still lists the unhealthy instance: " + discovery.getInstances("billing"));

        nacos.advance(Duration.ofSeconds(15)); // 31 s: removed
        assertTrue(nacos.instances("billing").isEmpty());
        MockNacos.waitFor(WAIT, () -> all(consumer, "billing") == 0, () -> "subscribed client: billing removed");
        assertTrue(discovery.getInstances("billing").isEmpty());
    }

    /** Instances of the subscribed client's view with the given health. */
    static long count(NamingService ns, String svc, boolean healthy) {
        try {
            return ns.getAllInstances(svc, true).stream().filter(i -> i.isHealthy() == healthy).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long all(NamingService ns, String svc) {
        try {
            return ns.getAllInstances(svc, true).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
