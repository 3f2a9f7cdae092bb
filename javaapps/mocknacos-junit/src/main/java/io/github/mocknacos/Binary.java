package io.github.mocknacos;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The mock's binary for the running platform, carried in the jar under
 * {@code io/github/mocknacos/bin/<os>-<arch>/} with its SHA-256 beside it,
 * and extracted to a cache folder named by that checksum. Several JVMs may
 * start at once (parallel Maven or Gradle forks): extraction holds a file
 * lock, writes a temporary file, checks its checksum and renames it into
 * place atomically, so no JVM ever runs a half-written binary.
 *
 * <p>The system property {@code mocknacos.binary} or the variable
 * {@code MOCKNACOS_BINARY} names a binary to use instead (another platform, a
 * development build); {@code mocknacos.cache.dir} / {@code MOCKNACOS_CACHE_DIR}
 * the cache folder (default {@code ~/.cache/mocknacos/junit}).
 */
public final class Binary {
    private static final String RESOURCE_ROOT = "/io/github/mocknacos/bin/";
    private static Path resolved;

    private Binary() {
    }

    /** The platform name as the jar's resources use it: linux-amd64, darwin-arm64, windows-amd64, ... */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("windows") ? "windows" : os.startsWith("mac") || os.contains("darwin") ? "darwin" : os.startsWith("linux") ? "linux" : os;
        String a = arch.equals("x86_64") || arch.equals("amd64") ? "amd64" : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : arch;
        return o + "-" + a;
    }

    static String exeName() {
        return platform().startsWith("windows") ? "mocknacos.exe" : "mocknacos";
    }

    /** The binary to run: the override, or the extracted copy (extracted once per JVM). */
    public static synchronized Path path() throws IOException {
        String override = setting("mocknacos.binary", "MOCKNACOS_BINARY");
        if (override != null && !override.isEmpty()) {
            return Paths.get(override);
        }
        if (resolved == null) {
            resolved = extract(cacheDir());
        }
        return resolved;
    }

    static Path cacheDir() {
        String dir = setting("mocknacos.cache.dir", "MOCKNACOS_CACHE_DIR");
        if (dir != null && !dir.isEmpty()) {
            return Paths.get(dir);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "mocknacos", "junit");
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        return v != null ? v : System.getenv(env);
    }

    /**
     * Extracts this platform's binary under {@code root/<sha256>/} unless a
     * copy with the right checksum is there; returns its path.
     */
    static Path extract(Path root) throws IOException {
        String res = RESOURCE_ROOT + platform() + "/" + exeName();
        String want;
        try (InputStream in = Binary.class.getResourceAsStream(res + ".sha256")) {
            if (in == null) {
                throw new IOException("mocknacos-junit carries no binary for " + platform()
                        + " (linux-amd64, linux-arm64, darwin-amd64, darwin-arm64, windows-amd64 are built in);"
                        + " set -Dmocknacos.binary=/path/to/mocknacos or MOCKNACOS_BINARY");
            }
            want = new String(readAll(in), StandardCharsets.US_ASCII).trim();
        }
        Path dir = root.resolve(want.substring(0, 16));
        Path target = dir.resolve(exeName());
        Files.createDirectories(dir);
        // A file lock serialises JVMs; the check under it makes the common
        // case (already there) one hash and no write.
        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve(".lock").toFile(), "rw");
             FileChannel ch = raf.getChannel();
             FileLock ignored = ch.lock()) {
            if (Files.isRegularFile(target) && want.equals(sha256(target))) {
                return target;
            }
            Path tmp = Files.createTempFile(dir, "mocknacos", ".tmp");
            try {
                try (InputStream in = Binary.class.getResourceAsStream(res); OutputStream out = Files.newOutputStream(tmp)) {
                    if (in == null) {
                        throw new IOException("resource " + res + " missing");
                    }
                    copy(in, out);
                }
                String got = sha256(tmp);
                if (!want.equals(got)) {
                    throw new IOException("checksum mismatch extracting " + res + ": want " + want + ", got " + got);
                }
                File f = tmp.toFile();
                if (!f.setExecutable(true, false)) {
                    throw new IOException("cannot make " + tmp + " executable");
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        }
    }

    static String sha256(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
            while (in.read(buf) >= 0) {
                // digesting
            }
        }
        StringBuilder b = new StringBuilder();
        for (byte x : md.digest()) {
            b.append(String.format("%02x", x & 0xff));
        }
        return b.toString();
    }

    static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        copy(in, out);
        return out.toByteArray();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
    }
}
