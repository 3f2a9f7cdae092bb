package io.mocknacos.namingclient;

import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractSharedListener;
import com.alibaba.nacos.api.config.listener.Listener;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Drives the real nacos-client 2.x config API against a Nacos server (the
 * mock) step by step, for mocknacos/javaconfig_test.go.
 *
 * <pre>
 * java -cp naming-client.jar io.mocknacos.namingclient.ConfigMain SERVER_ADDR DATA_ID GROUP [NAMESPACE]
 * </pre>
 *
 * It creates a ConfigService, reads the config (getConfig, printed as
 * {"event":"get","content":...}), adds a listener that prints every content
 * it receives ({"event":"change","content":...}), prints "ready", then runs
 * one command per stdin line:
 * <ul>
 * <li>{@code get}: getConfig again ({"event":"get"});</li>
 * <li>{@code publish "JSON string"}: publishConfig with that content
 * ({"event":"published","ok":...});</li>
 * <li>{@code remove}: removeConfig ({"event":"removed","ok":...});</li>
 * <li>{@code unlisten}: removeListener ({"event":"unlistened"});</li>
 * <li>{@code close}: shutDown and exit 0 ({"event":"closed"}).</li>
 * </ul>
 * End of input is close. A missing config's content is null. The client's
 * own logs go to stderr or under the work directory.
 *
 * System properties: naming.client.dir (logs and snapshots; a fresh temp dir
 * by default, removed at exit), naming.client.maxLifetimeSec (300: a
 * watchdog so an abandoned run ends).
 *
 * Exit codes: 0 after close, 1 on a failed step before "ready", 2 on bad
 * arguments, 3 when the watchdog fires.
 */
public final class ConfigMain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long TIMEOUT_MS = 5000;

    /** The real stdout: only JSON lines go there. */
    private static PrintStream out;

    /** The temp dir this run made itself, removed at exit; null if given. */
    private static Path ownDir;

    private ConfigMain() {
    }

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // stray prints of libraries must not corrupt the event stream

        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: ConfigMain SERVER_ADDR DATA_ID GROUP [NAMESPACE]");
            System.exit(2);
        }
        String serverAddr = args[0];
        String dataId = args[1];
        String group = args[2];
        String namespace = args.length == 4 ? args[3] : "";
        startWatchdog(Long.getLong("naming.client.maxLifetimeSec", 300));

        String dirProp = System.getProperty("naming.client.dir");
        Path dir = dirProp != null ? Paths.get(dirProp) : Files.createTempDirectory("config-client");
        if (dirProp == null) {
            ownDir = dir;
        }
        Files.createDirectories(dir);
        System.setProperty("JM.LOG.PATH", dir.resolve("logs").toString());
        System.setProperty("JM.SNAPSHOT.PATH", dir.resolve("snapshot").toString());
        System.setProperty("nacos.logging.default.config.enabled", "false");
        System.setProperty("com.alibaba.nacos.client.local.ip", "127.0.0.1");
        System.setProperty("user.home", dir.toString());

        Properties props = new Properties();
        props.setProperty(PropertyKeyConst.SERVER_ADDR, serverAddr);
        props.setProperty(PropertyKeyConst.NAMESPACE, namespace);

        ConfigService config;
        long t0 = System.nanoTime();
        try {
            config = ConfigFactory.createConfigService(props);
        } catch (Exception e) {
            fail("create", e);
            return;
        }
        emit(obj("event", "started", "serverAddr", serverAddr, "clientVersion", VersionUtils.version, "ms", ms(t0)));

        Listener listener = new AbstractSharedListener() {
            @Override
            public void innerReceive(String d, String g, String content) {
                emit(obj("event", "change", "dataId", d, "group", g, "content", content));
            }
        };
        try {
            t0 = System.nanoTime();
            String content = config.getConfig(dataId, group, TIMEOUT_MS);
            emit(obj("event", "get", "dataId", dataId, "group", group, "content", content, "ms", ms(t0)));
            t0 = System.nanoTime();
            config.addListener(dataId, group, listener);
            emit(obj("event", "listening", "dataId", dataId, "group", group, "ms", ms(t0)));
        } catch (Exception e) {
            fail("get/listen", e);
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
            String verb = cmd.split(" ", 2)[0];
            try {
                switch (verb) {
                    case "get":
                        t0 = System.nanoTime();
                        String content = config.getConfig(dataId, group, TIMEOUT_MS);
                        emit(obj("event", "get", "dataId", dataId, "group", group, "content", content, "ms", ms(t0)));
                        break;
                    case "publish": {
                        String arg = cmd.substring(verb.length()).trim();
                        String value = JSON.readValue(arg, String.class);
                        t0 = System.nanoTime();
                        boolean ok = config.publishConfig(dataId, group, value);
                        emit(obj("event", "published", "ok", ok, "content", value, "ms", ms(t0)));
                        break;
                    }
                    case "remove": {
                        t0 = System.nanoTime();
                        boolean ok = config.removeConfig(dataId, group);
                        emit(obj("event", "removed", "ok", ok, "ms", ms(t0)));
                        break;
                    }
                    case "unlisten":
                        config.removeListener(dataId, group, listener);
                        emit(obj("event", "unlistened"));
                        break;
                    case "close":
                        shutdownAndExit(config, 0);
                        return;
                    default:
                        emit(obj("event", "error", "op", cmd, "error", "unknown command"));
                }
            } catch (Exception e) {
                emit(obj("event", "error", "op", verb, "error", String.valueOf(e)));
            }
        }
        shutdownAndExit(config, 0);
    }

    private static void shutdownAndExit(ConfigService config, int code) {
        long t0 = System.nanoTime();
        try {
            config.shutDown();
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
        }, "config-client-watchdog");
        t.setDaemon(true);
        t.start();
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
            System.err.println("config-client: cannot encode " + m + ": " + e);
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
