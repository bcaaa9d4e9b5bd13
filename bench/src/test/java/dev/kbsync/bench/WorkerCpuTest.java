package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code worker.cpuMsPerNote}: the CPU of the thread that ran the publish cycles, not the bench JVM's (the git daemon
 * and the delay proxy serve the other side of every fetch and push in the same JVM), over the timed cycles only.
 */
class WorkerCpuTest {
    @TempDir
    Path scratch;

    @Test
    void shouldCountOnlyThePublishingThreadsCpuOverTheTimedNotes() throws Exception {
        WorkerGit git = new WorkerGit(new BenchContext("redis://unused", scratch, true));
        long before = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();

        WorkerGit.Publishing published = git.publishOverNetworkWithCpu(0, 5);

        double callerSeconds = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - before) / 1e9;
        assertThat(published.workerCpuSeconds()).isPositive().isLessThanOrEqualTo(callerSeconds);
        assertThat(published.notes()).isEqualTo(5);
        assertThat(published.cpuMsPerNote()).isEqualTo(1000 * published.workerCpuSeconds() / 5);
    }
}
