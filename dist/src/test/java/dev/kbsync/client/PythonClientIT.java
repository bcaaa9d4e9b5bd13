package dev.kbsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.redis.Fsync;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client's tests ({@code clients/python/tests}, {@code python3 -m unittest}) against the stack
 * {@code kbsync up} runs (embedded Redis, a coordinator on a free port, workers, the demo KB), so a change of the
 * HTTP API that breaks the client fails the build.
 */
class PythonClientIT {
    /** clients/ lives at the repository root; tests run in the module directory. */
    private static final Path CLIENT =
            Path.of("..", "clients", "python").toAbsolutePath().normalize();

    @TempDir
    Path data;

    @Test
    void shouldPassThePythonClientsTestsAgainstARealStack() throws Exception {
        assumeTrue(python3Runs(), "python3 is not installed here");
        try (EmbeddedStack stack =
                EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 2))) {
            Path output = data.resolve("python-tests.log");
            ProcessBuilder builder = new ProcessBuilder("python3", "-m", "unittest", "discover", "-v", "-s", "tests")
                    .directory(CLIENT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("KBSYNC_URL", stack.baseUrl().toString());
            builder.environment().put("KBSYNC_KB", EmbeddedStack.DEMO_KB);
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process python = builder.start();
            boolean exited = python.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                python.destroyForcibly();
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(log);
            assertThat(exited)
                    .as("python3 -m unittest finished within 90 s:\n%s", log)
                    .isTrue();
            assertThat(python.exitValue()).as("python3 -m unittest:\n%s", log).isZero();
            assertThat(log)
                    .as("the tests ran against the stack")
                    .contains("test_submits_a_note_once_per_idempotency_key");
        }
    }

    private static boolean python3Runs() {
        try {
            return new ProcessBuilder(List.of("python3", "--version")).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
