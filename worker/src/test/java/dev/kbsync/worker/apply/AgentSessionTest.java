package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent runs in a session (and process group) of its own: a signal sent to the worker's whole group (the terminal's
 * Ctrl-C under {@code kbsync up}, {@code kill -- -<pgid>}) reaches only the worker, which then stops its jobs as its
 * stop says (running ones may finish within the grace), instead of killing the agent under a job that then failed
 * {@code AGENT_FAILED} for good. A program that is not there is still not started.
 */
class AgentSessionTest {
    @TempDir
    Path work;

    @TempDir
    Path io;

    @Test
    void shouldRunTheAgentInASessionAndProcessGroupOfItsOwn() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc here");
        AgentCommand agent = new AgentCommand(
                List.of("sh", "-c", "read -r stat < /proc/$$/stat; echo \"$$ ${stat##*) }\" >&2"),
                Duration.ofSeconds(30));

        AgentRun run = AgentProcess.run(agent, work, "a task", io);

        assertThat(run).as(run.toString()).isInstanceOf(AgentRun.Exited.class);
        // "<pid> <state> <ppid> <pgrp> <session> ...": the fields after the command name
        String[] agentStat = ((AgentRun.Exited) run).output().strip().split(" ");
        String pid = agentStat[0];
        String[] worker = fieldsAfterName(Files.readString(Path.of("/proc/self/stat")));
        assertThat(agentStat[3]).as("the agent's process group").isEqualTo(pid);
        assertThat(agentStat[4]).as("the agent's session").isEqualTo(pid).isNotEqualTo(worker[3]);
    }

    @Test
    void shouldNotStartAProgramThatIsNotThere() {
        AgentCommand agent =
                new AgentCommand(List.of(work.resolve("no-such-agent").toString()), Duration.ofSeconds(5));

        AgentRun run = AgentProcess.run(agent, work, "a task", io);

        assertThat(run).as(run.toString()).isInstanceOf(AgentRun.NotStarted.class);
    }

    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
    }
}
