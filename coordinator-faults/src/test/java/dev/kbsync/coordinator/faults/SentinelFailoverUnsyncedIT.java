package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.TimingSensitive;
import org.junit.jupiter.api.Test;

/** {@link SentinelFailoverIT}'s failover under load, with Redisson's synced-replica checks off. */
@TimingSensitive
class SentinelFailoverUnsyncedIT {
    /**
     * Grants resume as fast; jobs may take longer: while the replicas resync with the new master, a claim's replica
     * confirmation can time out (503 REPLICATION_TIMEOUT to the poll although the master claimed it). The coordinator
     * takes such a claim back at once; one whose take-back failed waits its lease TTL (docs/reliability.md, "Known
     * limits").
     */
    @Test
    void shouldResumeWhenSyncedReplicaChecksAreOff() {
        SentinelFailoverIT.Run run = SentinelFailoverIT.failOverUnderLoad(false);

        assertThat(run.leasesGapMs()).isLessThan(10_000);
        assertThat(run.jobsGapMs()).as(run.timeline()).isLessThan(30_000);
    }
}
