package dev.kbsync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinaryTest {
    @TempDir
    Path root;

    @Test
    void shouldPreferTheEnvironmentVariableOverPath() throws IOException {
        Path fromEnv = executable(root.resolve("env/redis-server"));
        Path onPath = executable(root.resolve("bin/redis-server"));
        assertThat(RedisBinary.locate(Map.of(
                        "REDIS_SERVER",
                        fromEnv.toString(),
                        "PATH",
                        onPath.getParent().toString())))
                .isEqualTo(fromEnv);
    }

    @Test
    void shouldUsePathWhenTheVariableIsUnset() throws IOException {
        Path onPath = executable(root.resolve("bin/redis-server"));
        String path = root.resolve("empty") + java.io.File.pathSeparator + onPath.getParent();
        assertThat(RedisBinary.locate(Map.of("PATH", path))).isEqualTo(onPath);
    }

    @Test
    void shouldFallBackToTheEmbeddedBinary() {
        Path embedded = RedisBinary.locate(Map.of("PATH", root.toString()));
        assertThat(embedded.getFileName()).hasToString("redis-server");
        assertThat(embedded.getParent().getFileName().toString()).startsWith("kbsync-redis-");
        assertThat(Files.isExecutable(embedded)).isTrue();
    }

    @Test
    void shouldLeaveNoExtractedBinaryNorItsDirectoryBehindWhenTheJvmExits() throws Exception {
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + root,
                        "-cp",
                        System.getProperty("java.class.path"),
                        EmbeddedBinaryMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String printed = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(jvm.waitFor()).as(printed).isZero();
        Path extracted = Path.of(printed);
        assertThat(extracted.getParent().getParent()).isEqualTo(root);
        assertThat(extracted).doesNotExist();
        assertThat(extracted.getParent()).doesNotExist();
    }

    @Test
    void shouldRejectAVariableThatIsNotExecutable() throws IOException {
        Path plain = Files.writeString(root.resolve("redis-server"), "");
        assertThatThrownBy(() -> RedisBinary.locate(Map.of("REDIS_SERVER", plain.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REDIS_SERVER");
    }

    @Test
    void shouldRejectAVariableThatNamesADirectory() throws IOException {
        Path dir = Files.createDirectories(root.resolve("redis-bin"));
        assertThatThrownBy(() -> RedisBinary.locate(Map.of("REDIS_SERVER", dir.toString())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REDIS_SERVER")
                .hasMessageContaining("not an executable file");
    }

    @Test
    void shouldSkipADirectoryNamedRedisServerOnPath() throws IOException {
        Path first = Files.createDirectories(root.resolve("a/redis-server"));
        Path second = executable(root.resolve("b/redis-server"));
        assertThat(RedisBinary.locate(Map.of("PATH", first.getParent() + ":" + second.getParent())))
                .isEqualTo(second);
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
