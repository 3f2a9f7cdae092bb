package io.github.mocknacos;

import java.util.Arrays;

/**
 * Not a test: prints how long {@code MockNacos.start()} takes to return a
 * server that serves (the binary extracted already), over N starts, for the
 * README's figures:
 * <pre>
 * java -cp target/classes:target/test-classes io.github.mocknacos.StartupFigures 30
 * </pre>
 */
public final class StartupFigures {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long f0 = System.nanoTime();
        MockNacos.start().close(); // the first: checksum of the cached binary (or extraction), class loading
        System.out.printf("first MockNacos.start() in this JVM (cached binary checked by SHA-256): %d ms%n",
                (System.nanoTime() - f0) / 1_000_000);
        long[] ms = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (MockNacos m = MockNacos.start()) {
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
                m.journal(); // it answers
            }
        }
        Arrays.sort(ms);
        System.out.printf("MockNacos.start() to serving, %d starts: min %d ms, median %d ms, p90 %d ms, max %d ms%n",
                n, ms[0], ms[n / 2], ms[(int) (n * 0.9)], ms[n - 1]);
    }
}
