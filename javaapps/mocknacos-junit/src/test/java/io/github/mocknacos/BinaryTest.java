package io.github.mocknacos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinaryTest {

    /** A JVM running this class's main: prints the extracted path, or starts a mock and prints its pid and port. */
    static Process java(String mode, Path cache) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Dmocknacos.cache.dir=" + cache,
                BinaryTest.class.getName(), mode).redirectErrorStream(true).start();
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("extract")) {
            System.out.println(Binary.path());
            return;
        }
        MockNacos m = MockNacos.start();
        System.out.println(m.pid() + " " + m.port());
        System.out.flush();
        Thread.sleep(60_000); // killed by the test
    }

    static String firstLine(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return r.readLine();
    }

    @Test
    void severalJvmsExtractAtOnce(@TempDir Path cache) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ps.add(java("extract", cache));
        }
        Set<String> paths = new HashSet<>();
        for (Process p : ps) {
            paths.add(firstLine(p));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        assertEquals(1, paths.size(), "every JVM uses the same copy: " + paths);
        Path bin = java.nio.file.Paths.get(paths.iterator().next());
        assertTrue(Files.isExecutable(bin));
        try (Stream<Path> files = Files.list(bin.getParent())) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
            assertFalse(names.stream().anyMatch(n -> n.endsWith(".tmp")), "no temporary file left: " + names);
        }
        String sha = Binary.sha256(bin);
        assertTrue(bin.getParent().getFileName().toString().equals(sha.substring(0, 16)));
    }

    @Test
    void aCorruptCopyIsReplaced(@TempDir Path cache) throws Exception {
        Path bin = Binary.extract(cache);
        String good = Binary.sha256(bin);
        Files.write(bin, new byte[] {1, 2, 3});
        assertEquals(bin, Binary.extract(cache));
        assertEquals(good, Binary.sha256(bin));
    }

    @Test
    void aKilledJvmLeavesNoOrphan(@TempDir Path cache) throws Exception {
        Process jvm = java("serve", cache);
        String[] line = firstLine(jvm).split(" ");
        long pid = Long.parseLong(line[0]);
        assertTrue(isAlive(pid), "the mock runs");
        jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
        jvm.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (isAlive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(isAlive(pid), "the mock must exit with the JVM that started it");
    }

    /** ProcessHandle (Java 9+) through reflection: the module compiles for Java 8. */
    static boolean isAlive(long pid) throws Exception {
        Class<?> ph = Class.forName("java.lang.ProcessHandle");
        Object opt = ph.getMethod("of", long.class).invoke(null, pid);
        Object handle = ((java.util.Optional<?>) opt).orElse(null);
        return handle != null && (Boolean) ph.getMethod("isAlive").invoke(handle);
    }
}
