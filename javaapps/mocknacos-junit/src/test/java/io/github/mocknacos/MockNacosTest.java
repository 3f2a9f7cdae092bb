package io.github.mocknacos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Java API against the real binary (requests to the Nacos API made by hand, as a client would). */
class MockNacosTest {
    static MockNacos nacos;

    @BeforeAll
    static void start() {
        nacos = MockNacos.builder().frozenClock().start();
    }

    @AfterAll
    static void stop() {
        nacos.close();
    }

    @BeforeEach
    void reset() {
        nacos.reset();
        nacos.clearFaults();
    }

    static int http(String method, String url, String form) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod(method);
        if (form != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            try (OutputStream out = c.getOutputStream()) {
                out.write(form.getBytes(StandardCharsets.UTF_8));
            }
        }
        int st = c.getResponseCode();
        InputStream in = st >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
            in.close();
        }
        return st;
    }

    @Test
    void portsAndAddress() {
        assertTrue(nacos.isRunning());
        assertEquals("127.0.0.1:" + nacos.port(), nacos.serverAddr());
        assertEquals(nacos.port() + 1000, nacos.grpcPort());
        assertEquals("http://127.0.0.1:" + nacos.port() + "/nacos", nacos.url());
        assertEquals("2.4", nacos.serverVersion());
        assertFalse(nacos.authEnabled());
        assertTrue(nacos.startupTime().toMillis() > 0);
    }

    @Test
    void journalHasTypedEvents() throws Exception {
        assertEquals(200, http("POST", nacos.url() + "/v1/ns/instance", "serviceName=orders&ip=127.0.0.1&port=8080"));
        assertEquals(200, http("PUT", nacos.url() + "/v1/ns/instance/beat?serviceName=orders&ip=127.0.0.1&port=8080", null));
        List<Event> regs = nacos.journal(Query.kind(Event.REGISTER).service("orders"));
        assertEquals(1, regs.size());
        Event e = regs.get(0);
        assertEquals("http", e.protocol());
        assertEquals("127.0.0.1", e.ip());
        assertEquals(8080, e.port());
        assertEquals("POST", e.requestMethod());
        assertEquals("/nacos/v1/ns/instance", e.requestPath());
        assertEquals("[orders]", e.requestParams().get("serviceName").toString());
        assertEquals(200, e.responseStatus());
        assertTrue(e.time() != null && e.wallTime() != null);
        assertEquals(1, nacos.count(Query.kind(Event.BEAT).port(8080)));
        assertEquals(0, nacos.count(Query.kind(Event.BEAT).port(9999)));
        assertEquals(1, nacos.count(Query.all().since(e.seq()).withKind(Event.BEAT)));
    }

    @Test
    void registerAdvanceAndDeregister() {
        nacos.register("billing", Instance.of("127.0.0.1", 9090).metadata("zone", "a").weight(2));
        List<Instance> ins = nacos.waitForInstances("billing", 1, Duration.ofSeconds(5));
        assertEquals(9090, ins.get(0).port());
        assertEquals("a", ins.get(0).metadata().get("zone"));
        assertEquals(2.0, ins.get(0).weight());
        assertTrue(ins.get(0).healthy());
        assertEquals("http", ins.get(0).protocol());
        nacos.advance(Duration.ofSeconds(16));
        assertFalse(nacos.instances("billing").get(0).healthy(), "no beat for 16 s: unhealthy");
        nacos.advance(Duration.ofSeconds(15));
        assertTrue(nacos.instances("billing").isEmpty(), "no beat for 31 s: removed");

        nacos.register("GROUP_B@@billing", Instance.of("127.0.0.1", 9091));
        assertEquals(1, nacos.instances("GROUP_B@@billing").size());
        assertTrue(nacos.instances("billing").isEmpty());
        nacos.register("billing", Instance.of("127.0.0.1", 9092));
        assertTrue(nacos.deregister("billing", "127.0.0.1", 9092));
        assertFalse(nacos.deregister("billing", "127.0.0.1", 9092));
    }

    @Test
    void configs() throws Exception {
        nacos.setConfig("app.properties", "DEFAULT_GROUP", "a=1");
        URL u = new URL(nacos.url() + "/v1/cs/configs?dataId=app.properties&group=DEFAULT_GROUP");
        try (InputStream in = u.openStream()) {
            assertEquals("a=1", new String(Binary.readAll(in), StandardCharsets.UTF_8));
        }
        assertTrue(nacos.deleteConfig("app.properties", "DEFAULT_GROUP"));
        assertEquals(404, http("GET", u.toString(), null));
    }

    @Test
    void faults() throws Exception {
        int id = nacos.injectFault(Fault.path("/nacos/v1/ns/instance").method("POST").status(503).count(1));
        assertTrue(id > 0);
        String reg = "serviceName=orders&ip=127.0.0.1&port=8080";
        assertEquals(503, http("POST", nacos.url() + "/v1/ns/instance", reg));
        assertEquals(200, http("POST", nacos.url() + "/v1/ns/instance", reg), "count 1: the retry gets through");
        List<Event> regs = nacos.journal(Query.kind(Event.REGISTER));
        assertEquals(2, regs.size());
        assertFalse(regs.get(0).fault().isEmpty());
        assertTrue(regs.get(1).fault().isEmpty());

        int forever = nacos.injectFault(Fault.path("/nacos/v1/ns/instance/list").status(500));
        assertEquals(500, http("GET", nacos.url() + "/v1/ns/instance/list?serviceName=orders", null));
        nacos.clearFault(forever);
        assertEquals(200, http("GET", nacos.url() + "/v1/ns/instance/list?serviceName=orders", null));
        MockNacosException e = assertThrows(MockNacosException.class, () -> nacos.clearFault(forever));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }

    @Test
    void restartKeepsPortsAndConfigsLosesEphemeralInstances() throws Exception {
        int port = nacos.port();
        nacos.setConfig("kept", "DEFAULT_GROUP", "x");
        nacos.register("orders", Instance.of("127.0.0.1", 1));
        nacos.restart();
        assertEquals(port, nacos.port());
        assertEquals(200, http("GET", nacos.url() + "/v1/console/health/readiness", null));
        assertTrue(nacos.instances("orders").isEmpty());
        assertEquals(200, http("GET", nacos.url() + "/v1/cs/configs?dataId=kept&group=DEFAULT_GROUP", null));
    }

    @Test
    void badAdminCallsThrow() {
        MockNacosException e = assertThrows(MockNacosException.class,
                () -> nacos.register("orders", Instance.of("", 0)));
        assertTrue(e.getMessage().contains("400"), e.getMessage());
        assertThrows(MockNacosException.class, () -> nacos.waitForInstances("none", 1, Duration.ofMillis(100)));
    }

    @Test
    void versionAuthAndStop() throws Exception {
        try (MockNacos v1 = MockNacos.builder().serverVersion("1.4").auth("nacos", "secret").start()) {
            assertEquals("1.4", v1.serverVersion());
            assertTrue(v1.authEnabled());
            assertEquals(403, http("GET", v1.url() + "/v1/ns/instance/list?serviceName=orders", null),
                    "auth on: a request without a token is refused");
            assertEquals(200, http("POST", v1.url() + "/v1/auth/users/login", "username=nacos&password=secret"));
            v1.close();
            assertFalse(v1.isRunning());
            assertThrows(Exception.class, () -> http("GET", v1.url() + "/v1/console/health/readiness", null));
        }
    }
}
