package io.github.mocknacos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A mock Nacos server for a Java test: the mocknacos binary started as a
 * child process on a free port pair of 127.0.0.1 (HTTP P with context path
 * /nacos, gRPC P+1000, as Nacos clients expect), driven over its admin API.
 * It mirrors the Go API ({@code mocknacos.Start}):
 * <pre>
 * try (MockNacos nacos = MockNacos.builder().frozenClock().start()) {
 *     // point a client at nacos.serverAddr() ("127.0.0.1:P")
 *     nacos.advance(Duration.ofSeconds(16));   // no beat for 16 s: unhealthy
 *     List&lt;Event&gt; beats = nacos.journal(Query.kind(Event.BEAT).service("orders"));
 * }
 * </pre>
 * {@link #close()} stops the process; so does a JVM shutdown hook, and the
 * binary itself exits when the JVM's end of its standard input closes (a
 * killed JVM leaves no orphan).
 */
public final class MockNacos implements AutoCloseable {
    /** gRPC listens on the HTTP port plus this, as Nacos 2.x does. */
    public static final int GRPC_PORT_OFFSET = 1000;

    private static volatile MockNacos current;

    private final Builder opts;
    private final String host;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private final Deque<String> log = new ArrayDeque<>();
    private final long startupNanos;
    private volatile boolean closed;

    /** Options; {@link Builder#start()} starts the server. */
    public static final class Builder {
        String serverVersion = "2.4";
        boolean frozen;
        String frozenAt = "";
        String authUser = "", authPassword = "";
        String adminToken = "";
        int journalLimit = -1;
        Duration tokenTTL;
        Duration startTimeout = Duration.ofSeconds(30);
        final List<String> extraArgs = new ArrayList<>();
        final Map<String, String> env = new LinkedHashMap<>();

        /** "2.4" (the default) or "1.4": the generation whose answers the mock gives. */
        public Builder serverVersion(String v) { serverVersion = v; return this; }
        /** Freeze the mock clock: only {@link MockNacos#advance} moves it. */
        public Builder frozenClock() { frozen = true; return this; }
        /** Freeze the mock clock at an RFC 3339 instant. */
        public Builder frozenAt(String rfc3339) { frozen = true; frozenAt = rfc3339; return this; }
        /** Turn authentication on with this user (the client needs username and password). */
        public Builder auth(String user, String password) { authUser = user; authPassword = password; return this; }
        /**
         * An admin token: the mock is started with it (MOCKNACOS_ADMIN_TOKEN) and every admin
         * call sends {@code Authorization: Bearer TOKEN}. Needs a binary that knows the token.
         */
        public Builder adminToken(String token) { adminToken = token; return this; }
        /** Keep the newest n journal events (0: all). */
        public Builder journalLimit(int n) { journalLimit = n; return this; }
        public Builder tokenTTL(Duration d) { tokenTTL = d; return this; }
        public Builder startTimeout(Duration d) { startTimeout = d; return this; }
        /** More flags for the binary (see {@code mocknacos --help}). */
        public Builder arg(String... args) { Collections.addAll(extraArgs, args); return this; }
        /** An environment variable for the binary (MOCKNACOS_* set any flag). */
        public Builder env(String name, String value) { env.put(name, value); return this; }

        public MockNacos start() {
            return MockNacos.start(this);
        }

        String authUser() { return authUser; }
        String authPassword() { return authPassword; }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A server with the default options. */
    public static MockNacos start() {
        return builder().start();
    }

    /** The server most recently started in this JVM and not yet closed (for Spring initializers). */
    public static MockNacos current() {
        return current;
    }

    private MockNacos(Builder opts, String host, int port, Process process, long startupNanos, Deque<String> log) {
        this.opts = opts;
        this.host = host;
        this.port = port;
        this.process = process;
        this.startupNanos = startupNanos;
        this.log.addAll(log);
        this.shutdownHook = new Thread(this::stopProcess, "mocknacos-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static MockNacos start(Builder opts) {
        Path bin;
        try {
            bin = Binary.path();
        } catch (IOException e) {
            throw new MockNacosException("mocknacos binary: " + e.getMessage(), e);
        }
        String last = "";
        // A free pair can be taken between the probe and the bind: retry.
        for (int attempt = 0; attempt < 8; attempt++) {
            int p = freePortPair();
            List<String> cmd = new ArrayList<>();
            cmd.add(bin.toString());
            Collections.addAll(cmd, "--host", "127.0.0.1", "--port", Integer.toString(p), "--log-format", "json",
                    "--exit-on-stdin-eof", "--server-version", opts.serverVersion);
            if (opts.frozen) {
                cmd.add("--frozen-clock");
            }
            if (!opts.frozenAt.isEmpty()) {
                Collections.addAll(cmd, "--frozen-at", opts.frozenAt);
            }
            if (!opts.authUser.isEmpty()) {
                Collections.addAll(cmd, "--auth-user", opts.authUser, "--auth-password", opts.authPassword);
            }
            if (opts.journalLimit >= 0) {
                Collections.addAll(cmd, "--journal-limit", Integer.toString(opts.journalLimit));
            }
            if (opts.tokenTTL != null) {
                Collections.addAll(cmd, "--token-ttl", opts.tokenTTL.toMillis() + "ms");
            }
            cmd.addAll(opts.extraArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(opts.env);
            if (!opts.adminToken.isEmpty()) {
                pb.environment().put("MOCKNACOS_ADMIN_TOKEN", opts.adminToken);
            }
            long t0 = System.nanoTime();
            Process proc;
            try {
                proc = pb.start();
            } catch (IOException e) {
                throw new MockNacosException("starting " + bin + ": " + e.getMessage(), e);
            }
            Deque<String> lines = new ArrayDeque<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> readLog(proc.getInputStream(), lines, ready), "mocknacos-log-" + p);
            reader.setDaemon(true);
            reader.start();
            boolean ok;
            try {
                ok = waitReady(proc, ready, opts.startTimeout);
            } catch (InterruptedException e) {
                proc.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new MockNacosException("interrupted while the mock started", e);
            }
            if (ok) {
                MockNacos m;
                synchronized (lines) {
                    m = new MockNacos(opts, "127.0.0.1", p, proc, System.nanoTime() - t0, lines);
                }
                current = m;
                return m;
            }
            proc.destroyForcibly();
            synchronized (lines) {
                last = String.join("\n", lines);
            }
            if (!last.contains("address already in use") && !last.contains("Only one usage of each socket address")) {
                break;
            }
        }
        throw new MockNacosException("mocknacos did not start:\n" + last);
    }

    private static boolean waitReady(Process proc, CountDownLatch ready, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready.await(20, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (!proc.isAlive()) {
                return ready.await(200, TimeUnit.MILLISECONDS);
            }
        }
        return false;
    }

    /**
     * Reads the binary's log: the "serving" line says both listeners are
     * up. Keeps the last lines for error messages.
     */
    private static void readLog(InputStream in, Deque<String> lines, CountDownLatch ready) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lines) {
                    lines.addLast(line);
                    while (lines.size() > 200) {
                        lines.removeFirst();
                    }
                }
                if (line.contains("\"msg\":\"serving\"")) {
                    ready.countDown();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** A port P of 127.0.0.1 free together with P+1000. */
    static int freePortPair() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket a = new ServerSocket()) {
                a.setReuseAddress(false);
                a.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int p = a.getLocalPort();
                if (p + GRPC_PORT_OFFSET > 65535) {
                    continue;
                }
                try (ServerSocket b = new ServerSocket()) {
                    b.setReuseAddress(false);
                    b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + GRPC_PORT_OFFSET));
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            } catch (IOException e) {
                throw new MockNacosException("no free port: " + e.getMessage(), e);
            }
        }
        throw new MockNacosException("no free port pair P, P+1000 found on 127.0.0.1");
    }

    // ---- where it is ----

    /** "127.0.0.1:P": the server address to give a Nacos client. */
    public String serverAddr() { return host + ":" + port; }
    public String host() { return host; }
    public int port() { return port; }
    public int grpcPort() { return port + GRPC_PORT_OFFSET; }
    /** "http://127.0.0.1:P/nacos". */
    public String url() { return "http://" + serverAddr() + "/nacos"; }
    /** "http://127.0.0.1:P/__mock". */
    public String adminUrl() { return "http://" + serverAddr() + "/__mock"; }
    public String serverVersion() { return opts.serverVersion; }
    /** The user of {@link Builder#auth}, or "" when authentication is off. */
    public String username() { return opts.authUser; }
    public String password() { return opts.authPassword; }
    public boolean authEnabled() { return !opts.authUser.isEmpty(); }
    /** From starting the process to the mock's "serving" log line. */
    public Duration startupTime() { return Duration.ofNanos(startupNanos); }
    public boolean isRunning() { return !closed && process.isAlive(); }

    /** The binary's last log lines. */
    public List<String> log() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    // ---- the admin API ----

    /** Moves the mock clock; every health transition and resulting push has happened when it returns. */
    public void advance(Duration d) {
        admin("POST", "/clock/advance?by=" + d.toMillis() + "ms", null);
    }

    /** The whole journal, oldest first. */
    public List<Event> journal() {
        return journal(Query.all());
    }

    /** The journal filtered. */
    public List<Event> journal(Query q) {
        String body = admin("GET", "/journal" + q.toQueryString(), null);
        List<Event> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.trim().isEmpty()) {
                continue;
            }
            Map<String, Object> m = Json.parseObject(line);
            if (m.containsKey("format")) {
                continue; // the header line
            }
            out.add(new Event(m));
        }
        return out;
    }

    public int count(Query q) {
        return journal(q).size();
    }

    /** Registers an instance as if over 1.x HTTP (an ephemeral one then lives by beats on the mock clock). */
    public void register(String service, Instance in) {
        registerIn("", service, in);
    }

    /** {@link #register} in a namespace ("" is public). */
    public void registerIn(String namespace, String service, Instance in) {
        Map<String, Object> body = new LinkedHashMap<>(in.fields);
        body.put("service", service);
        if (!namespace.isEmpty()) {
            body.put("namespace", namespace);
        }
        admin("POST", "/instances", Json.write(body));
    }

    /** Removes the instance at ip:port of a public-namespace service; false when there was none. */
    public boolean deregister(String service, String ip, int port) {
        String body = admin("DELETE", "/instances?service=" + enc(service) + "&ip=" + enc(ip) + "&port=" + port, null);
        return Json.bool(Json.parseObject(body), "deregistered");
    }

    /** The instances of a public-namespace service ("name" or "group@@name"), healthy or not. */
    @SuppressWarnings("unchecked")
    public List<Instance> instances(String service) {
        String group = "DEFAULT_GROUP", name = service;
        int at = service.indexOf("@@");
        if (at >= 0) {
            group = service.substring(0, at);
            name = service.substring(at + 2);
        }
        List<Instance> out = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(admin("GET", "/services", null))) {
            Map<String, Object> s = (Map<String, Object>) o;
            if (Json.str(s, "namespace").equals("public") && Json.str(s, "group").equals(group) && Json.str(s, "name").equals(name)) {
                for (Object in : (List<Object>) s.get("instances")) {
                    out.add(Instance.fromAdmin((Map<String, Object>) in));
                }
            }
        }
        return out;
    }

    /** Waits until a public-namespace service has at least n instances (healthy or not). */
    public List<Instance> waitForInstances(String service, int n, Duration timeout) {
        List<Instance>[] last = new List[1];
        waitFor(timeout, () -> (last[0] = instances(service)).size() >= n,
                () -> "want " + n + " instances of " + service + ", have " + last[0]);
        return last[0];
    }

    /** Waits until a public-namespace service has at least n healthy instances. */
    public void waitForHealthy(String service, int n, Duration timeout) {
        int[] have = new int[1];
        waitFor(timeout, () -> {
            have[0] = 0;
            for (Instance in : instances(service)) {
                have[0] += in.healthy() ? 1 : 0;
            }
            return have[0] >= n;
        }, () -> "want " + n + " healthy instances of " + service + ", have " + have[0]);
    }

    /** Waits until the journal holds at least n events matching q; returns them. */
    public List<Event> waitForEvents(Query q, int n, Duration timeout) {
        List<Event>[] last = new List[1];
        waitFor(timeout, () -> (last[0] = journal(q)).size() >= n,
                () -> "want " + n + " events of " + q + ", have " + last[0].size());
        return last[0];
    }

    /** Waits (polling every 20 ms) until cond holds. */
    public static void waitFor(Duration timeout, BooleanSupplier cond, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new MockNacosException("timed out after " + timeout + ": " + what.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MockNacosException("interrupted", e);
            }
        }
    }

    /** Publishes a config as a client would (every listener is pushed). */
    public void setConfig(String dataId, String group, String content) {
        setConfig(dataId, group, content, "", "");
    }

    /** {@link #setConfig} with a tenant (namespace) and a type ("yaml", "properties", ...). */
    public void setConfig(String dataId, String group, String content, String tenant, String type) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dataId", dataId);
        body.put("group", group);
        body.put("content", content);
        body.put("tenant", tenant);
        body.put("type", type);
        admin("POST", "/configs", Json.write(body));
    }

    public boolean deleteConfig(String dataId, String group) {
        String body = admin("DELETE", "/configs?dataId=" + enc(dataId) + "&group=" + enc(group), null);
        return Json.bool(Json.parseObject(body), "deleted");
    }

    /** Injects a fault; returns its id (for {@link #clearFault}). */
    public int injectFault(Fault f) {
        return (int) Json.num(Json.parseObject(admin("POST", "/faults", Json.write(f.fields))), "id");
    }

    public void clearFault(int id) {
        admin("DELETE", "/faults/" + id, null);
    }

    public void clearFaults() {
        admin("DELETE", "/faults", null);
    }

    /** Restarts on the same ports, as a real server restart does (see the README, "Restart"). */
    public void restart() {
        admin("POST", "/restart", null);
    }

    /** Forgets every service, instance, subscription, config and journal event. */
    public void reset() {
        admin("POST", "/reset", null);
    }

    /** An admin call: the answer's body, or a MockNacosException for a non-2xx status. */
    public String admin(String method, String pathAndQuery, String jsonBody) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(adminUrl() + pathAndQuery).openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5000);
            c.setReadTimeout(60000);
            if (!opts.adminToken.isEmpty()) {
                c.setRequestProperty("Authorization", "Bearer " + opts.adminToken);
            }
            if (jsonBody != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(Binary.readAll(in), StandardCharsets.UTF_8);
            if (in != null) {
                in.close();
            }
            if (status / 100 != 2) {
                throw new MockNacosException(method + " " + pathOnly(pathAndQuery) + ": " + status + " " + body.trim());
            }
            return body;
        } catch (IOException e) {
            throw new MockNacosException(method + " " + adminUrl() + pathAndQuery + ": " + e, e);
        }
    }

    private static String enc(String s) {
        try {
            return URLEncoder.encode(s, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the process (and waits for it). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void stopProcess() {
        if (closed) {
            return;
        }
        closed = true;
        if (current == this) {
            current = null;
        }
        try {
            process.getOutputStream().close(); // --exit-on-stdin-eof
        } catch (IOException ignored) {
            // gone already
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The process id of the binary (Java 9+; -1 on Java 8). */
    public long pid() {
        try {
            return (Long) Process.class.getMethod("pid").invoke(process);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return "MockNacos{" + serverAddr() + ", " + opts.serverVersion + (closed ? ", closed" : "") + "}";
    }

    private static String pathOnly(String p) {
        int q = p.indexOf('?');
        return q < 0 ? p : p.substring(0, q);
    }
}
