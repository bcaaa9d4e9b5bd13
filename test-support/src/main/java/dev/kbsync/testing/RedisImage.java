package dev.kbsync.testing;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.kbsync.redis.RedisBinary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The Docker image the container fixtures run, built locally since no registry is reachable: {@code FROM scratch}
 * with this machine's {@code redis-server} (as {@link RedisBinary} finds it) and the shared libraries {@code ldd}
 * lists, at their own paths. Its tag {@code kbsync-test/redis:<hash>} hashes those files (each one's path, size and
 * CRC-32), so it is built once per binary and reused while the tag exists. Every test JVM computes it once: over the
 * 17 MB here a SHA-256 of the contents took 250-310 ms in a JVM with the tests' flags, CRC-32 60-80 ms (reads
 * included).
 */
final class RedisImage {
    static final String REPOSITORY = "kbsync-test/redis";

    private static final Logger log = LoggerFactory.getLogger(RedisImage.class);
    private static final String SERVER = "/usr/bin/redis-server";
    private static final String DOCKERFILE = "FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"" + SERVER + "\"]\n";
    private static final Pattern LIBRARY = Pattern.compile("(/\\S+) \\(0x");
    private static String name;

    private RedisImage() {}

    /** The image's name, built first if the engine does not have it yet. */
    static synchronized String name() {
        if (name == null) {
            name = ensure(files(RedisBinary.locate()));
        }
        return name;
    }

    /** Path in the image to file on this machine: the server and every library it loads. */
    static Map<String, Path> files(Path binary) {
        Map<String, Path> files = new TreeMap<>();
        files.put(SERVER, realPath(binary));
        Matcher libraries = LIBRARY.matcher(ldd(binary));
        while (libraries.find()) {
            files.put(libraries.group(1), realPath(Path.of(libraries.group(1))));
        }
        return files;
    }

    private static String ensure(Map<String, Path> files) {
        String tag = REPOSITORY + ":" + hash(files);
        try {
            DockerClientFactory.lazyClient().inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException absent) {
            ImageFromDockerfile image =
                    new ImageFromDockerfile(tag, false).withFileFromString("Dockerfile", DOCKERFILE);
            files.forEach((target, source) -> image.withFileFromPath("rootfs" + target, source));
            String built = image.get();
            log.info(
                    "redis fixture: built image {} from {} and {} libraries",
                    built,
                    files.get(SERVER),
                    files.size() - 1);
            return built;
        }
    }

    private static String ldd(Path binary) {
        try {
            Process ldd = new ProcessBuilder("ldd", binary.toString())
                    .redirectErrorStream(true)
                    .start();
            try (InputStream out = ldd.getInputStream()) {
                String listing = new String(out.readAllBytes(), StandardCharsets.UTF_8);
                if (ldd.waitFor() != 0 && !listing.contains("not a dynamic executable")) {
                    throw new IllegalStateException("ldd " + binary + " failed: " + listing);
                }
                if (listing.contains("not found")) {
                    throw new IllegalStateException("ldd " + binary + " misses a library: " + listing);
                }
                return listing;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run ldd " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String hash(Map<String, Path> files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(DOCKERFILE.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, Path> file : files.entrySet()) {
                byte[] content = Files.readAllBytes(file.getValue());
                CRC32 crc = new CRC32();
                crc.update(content);
                digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((content.length + ":" + crc.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
