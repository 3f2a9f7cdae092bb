package io.mocknacos.namingclient1x;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.naming.NamingFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.common.utils.VersionUtils;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives the real nacos-client 1.4.2 naming API (HTTP: registration, beats,
 * polling and UDP push) against a Nacos server (the mock) step by step, for
 * mocknacos/javaclient1x_test.go.
 *
 * <pre>
 * java -jar naming-client-1x.jar SERVER_ADDR SERVICE [INSTANCE_PORT]
 * </pre>
 *
 * It subscribes to SERVICE, registers the ephemeral instance
 * 127.0.0.1:INSTANCE_PORT (metadata preserved.heart.beat.interval from
 * naming.client.beatIntervalMs, 1000 by default, so that it beats every
 * second instead of every 5 s), waits for the push that shows its own
 * instance, prints "ready", then runs one command per stdin line:
 * deregister, register, query, unsubscribe, close. End of input is close.
 * Every observation is one JSON object per line on stdout; the client's own
 * logs go to stderr or to files under the work directory.
 *
 * System properties: naming.client.dir (logs and cache; a fresh temp dir by
 * default, removed at exit), naming.client.pushTimeoutSec (30),
 * naming.client.maxLifetimeSec (300: a watchdog so an abandoned run ends),
 * naming.client.beatIntervalMs (1000; 0 leaves the client's 5 s).
 *
 * Exit codes: 0 after close, 1 on a failed step before "ready", 2 on bad
 * arguments, 3 when the watchdog fires.
 */
public final class Main {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The real stdout: only JSON lines go there. */
    private static PrintStream out;

    /** The temp dir this run made itself, removed at exit; null if given. */
    private static Path ownDir;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // stray prints of libraries must not corrupt the event stream

        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: naming-client-1x SERVER_ADDR SERVICE [INSTANCE_PORT]");
            System.exit(2);
        }
        String serverAddr = args[0];
        String service = args[1];
        int port = args.length == 3 ? Integer.parseInt(args[2]) : 18080;
        long pushTimeout = Long.getLong("naming.client.pushTimeoutSec", 30);
        long maxLifetime = Long.getLong("naming.client.maxLifetimeSec", 300);
        long beatInterval = Long.getLong("naming.client.beatIntervalMs", 1000);

        startWatchdog(maxLifetime);

        // Logs, snapshots and the naming cache under a directory of our own,
        // and never a LAN address: the client announces 127.0.0.1 (the
        // clientIP of its polls) and its UDP receiver is reached there.
        String dirProp = System.getProperty("naming.client.dir");
        Path dir = dirProp != null ? Paths.get(dirProp) : Files.createTempDirectory("naming-client-1x");
        if (dirProp == null) {
            ownDir = dir;
        }
        Files.createDirectories(dir);
        System.setProperty("JM.LOG.PATH", dir.resolve("logs").toString());
        System.setProperty("JM.SNAPSHOT.PATH", dir.resolve("snapshot").toString());
        System.setProperty("com.alibaba.nacos.naming.cache.dir", dir.resolve("naming-cache").toString());
        System.setProperty("nacos.logging.default.config.enabled", "false");
        System.setProperty("com.alibaba.nacos.client.naming.local.ip", "127.0.0.1");
        System.setProperty("user.home", dir.toString());

        Properties props = new Properties();
        props.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr);
        props.setProperty(PropertyKeyConst.NAMESPACE, "");
        props.setProperty(PropertyKeyConst.NAMING_LOAD_CACHE_AT_START, "false");

        Instance self = new Instance();
        self.setIp("127.0.0.1");
        self.setPort(port);
        self.setWeight(2.0);
        self.setClusterName("DEFAULT");
        self.setEphemeral(true);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lang", "java");
        meta.put("client", "nacos-client");
        meta.put("version", VersionUtils.version);
        if (beatInterval > 0) {
            meta.put("preserved.heart.beat.interval", String.valueOf(beatInterval));
        }
        self.setMetadata(meta);

        CountDownLatch sawSelf = new CountDownLatch(1);
        EventListener listener = (Event event) -> {
            if (!(event instanceof NamingEvent)) {
                emit(obj("event", "other", "type", event.getClass().getName()));
                return;
            }
            NamingEvent ne = (NamingEvent) event;
            List<Instance> hosts = ne.getInstances() == null ? List.of() : ne.getInstances();
            emit(obj("event", "push", "service", ne.getServiceName(), "group", ne.getGroupName(),
                    "clusters", ne.getClusters(), "hosts", hosts(hosts)));
            for (Instance h : hosts) {
                if (h.getIp().equals(self.getIp()) && h.getPort() == self.getPort()) {
                    sawSelf.countDown();
                }
            }
        };

        NamingService naming;
        long t0 = System.nanoTime();
        try {
            naming = NamingFactory.createNamingService(props);
        } catch (Exception e) {
            fail("create", e);
            return;
        }
        emit(obj("event", "started", "serverAddr", serverAddr, "clientVersion", VersionUtils.version, "ms", ms(t0)));

        try {
            t0 = System.nanoTime();
            naming.subscribe(service, listener);
            emit(obj("event", "subscribed", "service", service, "ms", ms(t0)));
            t0 = System.nanoTime();
            naming.registerInstance(service, self);
            emit(obj("event", "registered", "service", service, "ip", self.getIp(), "port", self.getPort(), "ms", ms(t0)));
        } catch (Exception e) {
            fail("subscribe/register", e);
            return;
        }
        if (!sawSelf.await(pushTimeout, TimeUnit.SECONDS)) {
            emit(obj("event", "error", "op", "wait-push", "error", "no push with 127.0.0.1:" + port + " within " + pushTimeout + "s"));
            shutdownAndExit(naming, 1);
            return;
        }
        emit(obj("event", "ready"));

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String cmd = line.trim();
            if (cmd.isEmpty()) {
                continue;
            }
            try {
                switch (cmd) {
                    case "deregister":
                        naming.deregisterInstance(service, Constants.DEFAULT_GROUP, self);
                        emit(obj("event", "deregistered", "service", service, "ip", self.getIp(), "port", self.getPort()));
                        break;
                    case "register":
                        naming.registerInstance(service, self);
                        emit(obj("event", "registered", "service", service, "ip", self.getIp(), "port", self.getPort()));
                        break;
                    case "query": // GET /instance/list, bypassing the subscription cache
                        emit(obj("event", "query", "service", service, "hosts", hosts(naming.getAllInstances(service, false))));
                        break;
                    case "unsubscribe":
                        naming.unsubscribe(service, listener);
                        emit(obj("event", "unsubscribed", "service", service));
                        break;
                    case "close":
                        shutdownAndExit(naming, 0);
                        return;
                    default:
                        emit(obj("event", "error", "op", cmd, "error", "unknown command"));
                }
            } catch (Exception e) {
                emit(obj("event", "error", "op", cmd, "error", String.valueOf(e)));
            }
        }
        shutdownAndExit(naming, 0);
    }

    private static void shutdownAndExit(NamingService naming, int code) {
        long t0 = System.nanoTime();
        try {
            naming.shutDown();
        } catch (Exception e) {
            emit(obj("event", "error", "op", "close", "error", String.valueOf(e)));
            code = code == 0 ? 1 : code;
        }
        emit(obj("event", "closed", "ms", ms(t0)));
        exit(code);
    }

    private static void fail(String op, Exception e) {
        emit(obj("event", "error", "op", op, "error", String.valueOf(e)));
        e.printStackTrace(System.err);
        exit(1);
    }

    private static void exit(int code) {
        if (ownDir != null) {
            deleteTree(ownDir);
        }
        out.flush();
        System.exit(code); // the client leaves non-daemon threads behind
    }

    private static void startWatchdog(long seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            emit(obj("event", "error", "op", "watchdog", "error", "still running after " + seconds + "s"));
            Runtime.getRuntime().halt(3);
        }, "naming-client-1x-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static List<Map<String, Object>> hosts(List<Instance> list) {
        List<Instance> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing(Instance::getIp).thenComparingInt(Instance::getPort));
        List<Map<String, Object>> res = new ArrayList<>();
        for (Instance h : sorted) {
            res.add(obj("ip", h.getIp(), "port", h.getPort(), "weight", h.getWeight(), "healthy", h.isHealthy(),
                    "enabled", h.isEnabled(), "ephemeral", h.isEphemeral(), "cluster", h.getClusterName(),
                    "serviceName", h.getServiceName(), "instanceId", h.getInstanceId(), "metadata", h.getMetadata()));
        }
        return res;
    }

    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static synchronized void emit(Map<String, Object> m) {
        m.put("at", System.currentTimeMillis()); // wall clock, to line up with the mock's journal
        try {
            out.println(JSON.writeValueAsString(m));
        } catch (IOException e) {
            System.err.println("naming-client-1x: cannot encode " + m + ": " + e);
        }
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; the OS cleans it eventually
        }
    }
}
