package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent program given as a relative path is the one the operator meant, relative to where the worker started (as
 * the start's check finds it), not to the scratch copy of the KB the agent runs in.
 */
class AgentCommandPathTest {
    @TempDir
    Path work;

    @TempDir
    Path io;

    @Test
    void shouldRunARelativeProgramFromTheWorkersWorkingDirectory() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "AgentCommandPathTest"));
        Path script = dir.resolve("agent.sh");
        Files.writeString(script, "#!/bin/sh\necho ran\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        AgentCommand agent = new AgentCommand(List.of(script.toString(), "--flag"), Duration.ofSeconds(30));

        assertThat(agent.argv())
                .containsExactly(script.toAbsolutePath().normalize().toString(), "--flag");
        AgentRun run = AgentProcess.run(agent, work, "a task", io);

        assertThat(run).as(run.toString()).isInstanceOf(AgentRun.Exited.class);
        assertThat(((AgentRun.Exited) run).code()).isZero();
    }

    @Test
    void shouldLeaveANameForPathAndAnAbsolutePathAsTheyAre() {
        assertThat(new AgentCommand(List.of("sh", "-c", "true"), Duration.ofSeconds(1)).argv())
                .containsExactly("sh", "-c", "true");
        assertThat(new AgentCommand(List.of("/bin/sh"), Duration.ofSeconds(1)).argv())
                .containsExactly("/bin/sh");
    }
}
