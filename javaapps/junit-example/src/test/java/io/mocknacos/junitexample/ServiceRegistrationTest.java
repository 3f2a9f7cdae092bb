package io.mocknacos.junitexample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import io.mocknacos.junitexample.app.OrdersApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.DockerClientFactory;

/**
 * A Spring Cloud Alibaba app (2023.0.3.4: Spring Boot 3.3.5, nacos-client
 * 2.4.3 over gRPC) against the mocknacos image: it registers, it stops seeing
 * a provider whose beats stopped once the mock clock moves, and it
 * deregisters when it stops. Every assertion reads what crossed the wire from
 * the mock's journal, or what the app's own DiscoveryClient sees.
 */
class ServiceRegistrationTest {

    static final String APP = "junit-orders";
    static final String LEGACY = "legacy-billing";

    static MockNacosContainer nacos;
    static long t0 = System.nanoTime();

    /** Prints how long the run has taken so far, so slow steps show. */
    static void step(String what) {
        System.out.printf("[junit-example] %6d ms  %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    @BeforeAll
    static void startMock() {
        String image = MockNacosContainer.imageName();
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (RuntimeException e) {
            fail("image " + image + " is not here: build it with scripts/build-mock-image.sh (" + e.getMessage() + ")");
        }
        // Frozen clock: only POST /__mock/clock/advance moves it, so health is the test's to decide.
        // The admin token: only this test may reset, restart or advance the mock.
        nacos = new MockNacosContainer(image).withEnv("MOCKNACOS_FROZEN_CLOCK", "true").withAdminToken("junit-example-token");
        t0 = System.nanoTime();
        nacos.start();
        step("mock container ready on " + nacos.serverAddr());
    }

    @AfterAll
    static void stopMock() {
        if (nacos != null) {
            nacos.stop();
        }
    }

    static ConfigurableApplicationContext startApp(int port) {
        return startApp(APP, port, nacos.serverAddr());
    }

    /** The app named name on 127.0.0.1:port against the Nacos at serverAddr (EmbeddedServiceRegistrationTest too). */
    static ConfigurableApplicationContext startApp(String name, int port, String serverAddr) {
        Map<String, Object> props = new HashMap<>();
        props.put("spring.application.name", name);
        props.put("server.port", port);
        props.put("server.address", "127.0.0.1");
        props.put("spring.cloud.nacos.discovery.server-addr", serverAddr);
        props.put("spring.cloud.nacos.discovery.ip", "127.0.0.1");
        // On close, SCA 2023 deregisters first, then waits this long (10 s by default) for consumers to
        // notice before stopping; the journal shows the deregistration at once, so no wait here.
        props.put("spring.cloud.nacos.discovery.graceful-shutdown-wait-time", 0);
        props.put("spring.main.banner-mode", "off");
        props.put("logging.level.root", "WARN");
        return new SpringApplicationBuilder(OrdersApp.class).properties(props).run();
    }

    @Test
    void registersSeesHealthOnTheMockClockAndDeregisters() throws Exception {
        int appPort = MockNacosContainer.freePortPair();
        ConfigurableApplicationContext app = startApp(appPort);
        step("app started on 127.0.0.1:" + appPort);
        try {
            // 1. The app registered itself: service name, 127.0.0.1 and its port, over gRPC.
            JsonNode reg = await("registration of " + APP, () -> first(nacos.journal(
                    Map.of("kind", "register", "service", APP))));
            assertEquals("127.0.0.1", reg.path("ip").asText(), reg.toString());
            assertEquals(appPort, reg.path("port").asInt(), reg.toString());
            assertEquals("grpc", reg.path("protocol").asText(), reg.toString());
            assertEquals("DEFAULT_GROUP", reg.path("group").asText(), reg.toString());
            step("registration journaled");

            // 2. A 1.x provider registers over HTTP, beats never, and the app sees it...
            DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://" + nacos.serverAddr() + "/nacos/v1/ns/instance?serviceName=" + LEGACY + "&ip=127.0.0.1&port=9999"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            await(LEGACY + " visible to the app", () -> discovery.getInstances(LEGACY).size() == 1 ? true : null);
            step(LEGACY + " visible to the app");

            // ...until 16 s pass on the mock clock without a beat: unhealthy, pushed to the app, gone from its view.
            JsonNode before = nacos.clock();
            JsonNode after = nacos.advance(Duration.ofSeconds(16));
            assertTrue(after.path("frozen").asBoolean(), after.toString());
            assertEquals(Duration.ofSeconds(16), Duration.between(Instant.parse(before.path("now").asText()),
                    Instant.parse(after.path("now").asText())), before + " -> " + after);
            await(LEGACY + " gone from the app's view", () -> discovery.getInstances(LEGACY).isEmpty() ? true : null);
            assertFalse(nacos.journal(Map.of("kind", "push", "service", LEGACY)).isEmpty(), "no push journaled");
            step("clock advanced 16s: " + LEGACY + " gone from the app's view");
            // The app's own gRPC instance lives as long as its connection, whatever the clock says.
            List<ServiceInstance> self = discovery.getInstances(APP);
            assertEquals(1, self.size(), self.toString());
            assertEquals(appPort, self.get(0).getPort());
        } finally {
            app.close();
            step("app stopped");
        }

        // 3. Stopping the app deregistered it.
        JsonNode dereg = await("deregistration of " + APP, () -> first(nacos.journal(
                Map.of("kind", "deregister", "service", APP))));
        assertEquals("127.0.0.1", dereg.path("ip").asText(), dereg.toString());
        assertEquals(appPort, dereg.path("port").asInt(), dereg.toString());
        // The app's own DeregisterInstance request, not the mock dropping a closed connection's instance.
        assertEquals("InstanceRequest", dereg.path("request").path("type").asText(), dereg.toString());
        step("deregistration journaled");
    }

    static JsonNode first(List<JsonNode> events) {
        return events.isEmpty() ? null : events.get(0);
    }

    /** Polls until what returns non-null, for 20 s at most. */
    static <T> T await(String what, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.call();
                if (v != null) {
                    return v;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what, last);
    }
}
