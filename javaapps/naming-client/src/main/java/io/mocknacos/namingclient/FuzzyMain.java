package io.mocknacos.namingclient;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.ConfigFuzzyWatchChangeEvent;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.FuzzyWatchChangeEvent;
import com.alibaba.nacos.api.naming.pojo.ListView;
import com.alibaba.nacos.common.utils.VersionUtils;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzy watch with the real nacos-client 3.x (naming and config), for
 * mocknacos/fuzzy_test.go. Built only by the nacos3 profile.
 *
 * <pre>
 * java -cp naming-client.jar io.mocknacos.namingclient.FuzzyMain SERVER_ADDR GROUP_PATTERN
 * </pre>
 *
 * It watches every service and every config (name pattern "*": the
 * one-argument fuzzyWatch of nacos-client 3.1.1 sends ".*", which a real
 * 3.0.3 matches as a glob, so nothing) of the groups GROUP_PATTERN matches, prints {"event":"watched",...} with the keys each watch matched
 * at once, then one line per change it is told of: {"event":"naming",...}
 * or {"event":"config",...}. "close" on stdin (or its end) shuts down.
 */
public final class FuzzyMain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PrintStream out;

    private FuzzyMain() {
    }

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        if (args.length != 2) {
            System.err.println("usage: FuzzyMain SERVER_ADDR GROUP_PATTERN");
            System.exit(2);
        }
        String dirProp = System.getProperty("naming.client.dir");
        Path dir = dirProp != null ? Paths.get(dirProp) : Files.createTempDirectory("fuzzy-client");
        Files.createDirectories(dir);
        System.setProperty("JM.LOG.PATH", dir.resolve("logs").toString());
        System.setProperty("JM.SNAPSHOT.PATH", dir.resolve("snapshot").toString());
        System.setProperty("nacos.logging.default.config.enabled", "false");
        System.setProperty("com.alibaba.nacos.client.local.ip", "127.0.0.1");
        System.setProperty("user.home", dir.toString());

        Properties props = new Properties();
        props.setProperty(PropertyKeyConst.SERVER_ADDR, args[0]);
        props.setProperty(PropertyKeyConst.NAMING_LOAD_CACHE_AT_START, "false");
        props.setProperty(PropertyKeyConst.NAMING_CACHE_REGISTRY_DIR, dir.resolve("naming-cache").toString());
        String groups = args[1];

        long t0 = System.currentTimeMillis();
        NamingService naming = NacosFactory.createNamingService(props);
        ConfigService config = NacosFactory.createConfigService(props);
        emit("started", Map.of("clientVersion", VersionUtils.version, "ms", System.currentTimeMillis() - t0));

        Executor direct = Runnable::run;
        com.alibaba.nacos.api.naming.listener.FuzzyWatchEventWatcher namingWatcher =
                new com.alibaba.nacos.api.naming.listener.FuzzyWatchEventWatcher() {
                    @Override
                    public Executor getExecutor() {
                        return direct;
                    }

                    @Override
                    public void onEvent(FuzzyWatchChangeEvent e) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("namespace", e.getNamespace());
                        m.put("group", e.getGroupName());
                        m.put("service", e.getServiceName());
                        m.put("changeType", e.getChangeType());
                        m.put("syncType", e.getSyncType());
                        emit("naming", m);
                    }
                };
        com.alibaba.nacos.api.config.listener.FuzzyWatchEventWatcher configWatcher =
                new com.alibaba.nacos.api.config.listener.FuzzyWatchEventWatcher() {
                    @Override
                    public Executor getExecutor() {
                        return direct;
                    }

                    @Override
                    public void onEvent(ConfigFuzzyWatchChangeEvent e) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("namespace", e.getNamespace());
                        m.put("group", e.getGroup());
                        m.put("dataId", e.getDataId());
                        m.put("changeType", e.getChangedType());
                        m.put("syncType", e.getSyncType());
                        emit("config", m);
                    }
                };
        try {
            ListView<String> services = naming.fuzzyWatchWithServiceKeys("*", groups, namingWatcher).get(10, TimeUnit.SECONDS);
            Set<String> configs = config.fuzzyWatchWithGroupKeys("*", groups, configWatcher).get(10, TimeUnit.SECONDS);
            List<String> svc = new ArrayList<>(new TreeSet<>(services.getData()));
            emit("watched", Map.of("services", svc, "configs", new ArrayList<>(new TreeSet<>(configs))));
        } catch (Exception e) {
            emit("error", Map.of("op", "fuzzyWatch", "error", String.valueOf(e)));
        }

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("close")) {
            // only "close"
        }
        naming.shutDown();
        config.shutDown();
        emit("closed", Map.of());
        System.exit(0);
    }

    private static synchronized void emit(String event, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.putAll(fields);
        m.put("at", System.currentTimeMillis());
        try {
            out.println(JSON.writeValueAsString(m));
        } catch (Exception e) {
            out.println("{\"event\":\"error\",\"error\":\"encode\"}");
        }
    }
}
