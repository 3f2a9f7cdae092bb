package io.mocknacos.junitexample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The mocknacos image as a Testcontainers container, with the admin API
 * (/__mock/) as methods.
 *
 * <p>Host networking, the mock on 127.0.0.1: a Nacos 2.x client given
 * host:P always dials gRPC on host:P+1000, a pair Docker's mapped ports do
 * not keep. So the container shares the host's network and listens on a free
 * pair P, P+1000 of 127.0.0.1. The image has no shell (no HEALTHCHECK): the
 * wait strategy polls the readiness probe and the container's log.
 */
public final class MockNacosContainer extends GenericContainer<MockNacosContainer> {

    /** The image name: -Dmocknacos.image, $MOCKNACOS_IMAGE, or mocknacos/mocknacos:latest. */
    public static String imageName() {
        String p = System.getProperty("mocknacos.image", "");
        if (!p.isBlank()) {
            return p;
        }
        String e = System.getenv("MOCKNACOS_IMAGE");
        return e == null || e.isBlank() ? "mocknacos/mocknacos:latest" : e;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private String adminToken;

    public MockNacosContainer(String image) {
        super(DockerImageName.parse(image));
        this.port = freePortPair();
        withNetworkMode("host");
        withEnv("MOCKNACOS_HOST", "127.0.0.1");
        withEnv("MOCKNACOS_PORT", Integer.toString(port));
        // A local image only: never ask a registry.
        withImagePullPolicy(name -> false);
        waitingFor(new Readiness(port).withStartupTimeout(Duration.ofSeconds(30)));
    }

    /**
     * Makes the admin API and the console page require this token (the binary's
     * --admin-token); the admin methods below send it as a bearer token.
     */
    public MockNacosContainer withAdminToken(String token) {
        this.adminToken = token;
        return withEnv("MOCKNACOS_ADMIN_TOKEN", token);
    }

    /** The server address to give a Nacos client: "127.0.0.1:P". */
    public String serverAddr() {
        return "127.0.0.1:" + port;
    }

    public int httpPort() {
        return port;
    }

    public int grpcPort() {
        return port + 1000;
    }

    /** "http://127.0.0.1:P/__mock". */
    public String adminUrl() {
        return "http://" + serverAddr() + "/__mock";
    }

    /** GET /__mock/journal with these filters (kind, service, ip, port, ...): the events, oldest first. */
    public List<JsonNode> journal(Map<String, String> filters) throws IOException, InterruptedException {
        String q = filters.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        List<JsonNode> events = new ArrayList<>();
        boolean header = true;
        for (String line : call("GET", "/journal?" + q).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (header) { // {"format":"mocknacos-journal","version":1,...}
                header = false;
                continue;
            }
            events.add(JSON.readTree(line));
        }
        return events;
    }

    /** POST /__mock/clock/advance: health transitions and pushes have happened when it returns. */
    public JsonNode advance(Duration d) throws IOException, InterruptedException {
        return JSON.readTree(call("POST", "/clock/advance?by=" + d.toMillis() + "ms"));
    }

    /** GET /__mock/clock: {"now":...,"offset":"16s","frozen":true}. */
    public JsonNode clock() throws IOException, InterruptedException {
        return JSON.readTree(call("GET", "/clock"));
    }

    private String call(String method, String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(adminUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        if (adminToken != null) {
            b.header("Authorization", "Bearer " + adminToken);
        }
        HttpRequest req = b.build();
        HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IOException(method + " " + path + ": " + resp.statusCode() + " " + resp.body());
        }
        return resp.body();
    }

    /** A port P with P and P+1000 free on 127.0.0.1 just now. */
    static int freePortPair() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 100; i++) {
            try (ServerSocket http = new ServerSocket(0, 1, lo)) {
                int p = http.getLocalPort();
                if (p + 1000 > 65535) {
                    continue;
                }
                try (ServerSocket grpc = new ServerSocket(p + 1000, 1, lo)) {
                    return p;
                }
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair P, P+1000 on 127.0.0.1");
    }

    /** Ready once the log says "serving" (this container, not another process on the port) and the probe answers 200. */
    private static final class Readiness extends AbstractWaitStrategy {
        private final int port;

        Readiness(int port) {
            this.port = port;
        }

        @Override
        protected void waitUntilReady() {
            URI uri = URI.create("http://127.0.0.1:" + port + "/nacos/v1/console/health/readiness");
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!waitStrategyTarget.isRunning()) {
                    throw new ContainerLaunchException("mocknacos exited: " + waitStrategyTarget.getLogs());
                }
                if (waitStrategyTarget.getLogs().contains("serving")) {
                    try {
                        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() == 200) {
                            return;
                        }
                    } catch (IOException notYet) {
                        // not listening yet
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ContainerLaunchException("interrupted", e);
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContainerLaunchException("interrupted", e);
                }
            }
            throw new ContainerLaunchException("mocknacos not ready on " + uri + " within " + startupTimeout);
        }
    }
}
