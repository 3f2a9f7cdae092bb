package io.mocknacos.junitexample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;

import io.github.mocknacos.Event;
import io.github.mocknacos.Instance;
import io.github.mocknacos.MockNacos;
import io.github.mocknacos.Query;
import io.github.mocknacos.junit.MockNacosExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * ServiceRegistrationTest's steps on the embedded mock (mocknacos-junit)
 * instead of the container: for the side-by-side figures (mvn -P embedded
 * test runs both; each prints its steps' times).
 */
class EmbeddedServiceRegistrationTest {
    static final String APP = "junit-orders-embedded";
    static final String LEGACY = "legacy-billing";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final long T0 = System.nanoTime();

    static void step(String what) {
        System.out.printf("[junit-example embedded] %6d ms  %s%n", (System.nanoTime() - T0) / 1_000_000, what);
    }

    @RegisterExtension
    static MockNacosExtension nacos = MockNacosExtension.builder().frozenClock().build();

    @Test
    void registersSeesHealthOnTheMockClockAndDeregisters(MockNacos mock) {
        step("mock ready on " + mock.serverAddr() + " (process start to serving " + mock.startupTime().toMillis() + " ms)");
        int appPort = MockNacosContainer.freePortPair();
        ConfigurableApplicationContext app = ServiceRegistrationTest.startApp(APP, appPort, mock.serverAddr());
        step("app started on 127.0.0.1:" + appPort);
        try {
            Event reg = mock.waitForEvents(Query.kind(Event.REGISTER).service(APP), 1, WAIT).get(0);
            assertEquals("127.0.0.1", reg.ip());
            assertEquals(appPort, reg.port());
            assertEquals("grpc", reg.protocol());
            assertEquals("DEFAULT_GROUP", reg.group());
            step("registration journaled");

            DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
            mock.register(LEGACY, Instance.of("127.0.0.1", 9999));
            MockNacos.waitFor(WAIT, () -> discovery.getInstances(LEGACY).size() == 1, () -> LEGACY + " visible");
            step(LEGACY + " visible to the app");

            mock.advance(Duration.ofSeconds(16));
            MockNacos.waitFor(WAIT, () -> discovery.getInstances(LEGACY).isEmpty(), () -> LEGACY + " gone");
            assertFalse(mock.journal(Query.kind(Event.PUSH).service(LEGACY)).isEmpty(), "no push journaled");
            step("clock advanced 16s: " + LEGACY + " gone from the app's view");
            List<ServiceInstance> self = discovery.getInstances(APP);
            assertEquals(1, self.size(), self.toString());
        } finally {
            app.close();
            step("app stopped");
        }
        Event dereg = mock.waitForEvents(Query.kind(Event.DEREGISTER).service(APP), 1, WAIT).get(0);
        assertEquals(appPort, dereg.port());
        assertEquals("InstanceRequest", dereg.requestType());
        step("deregistration journaled");
    }
}
