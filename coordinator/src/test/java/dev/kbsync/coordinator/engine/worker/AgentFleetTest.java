package dev.kbsync.coordinator.engine.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.service.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the sweep may take "no known worker runs agents" as true: only on a recent read that found so. */
class AgentFleetTest {
    private static final Duration SWEEP = Duration.ofMillis(250);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<Promise<List<Worker>>> reads = new ArrayList<>();
    private final WorkerRegistry registry = new WorkerRegistry() {
        @Override
        public Future<Worker> renew(String workerId, WorkerPresence presence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<List<Worker>> list() {
            Promise<List<Worker>> read = Promise.promise();
            reads.add(read);
            return read.future();
        }
    };
    private final AgentFleet fleet = new AgentFleet(registry, Duration.ZERO, SWEEP, nanos::get);

    private static Worker worker(Set<JobKind> kinds) {
        Instant at = Instant.parse("2026-12-05T04:00:00Z");
        return new Worker(
                "w",
                Worker.State.UP,
                at,
                at.plusSeconds(30),
                new WorkerPresence("h", "v", 1, 1, false, List.of(), List.of(), at, kinds));
    }

    @Test
    void shouldAnswerNoAgentWorkerOnlyAfterAReadThatFoundSoUntilItGrowsOld() {
        assertThat(fleet.noAgentWorker()).as("nothing read yet").isFalse();
        fleet.wanted();
        fleet.wanted();
        assertThat(reads).as("one read at a time").hasSize(1);
        reads.get(0).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(fleet.noAgentWorker()).isTrue();

        nanos.addAndGet(AgentFleet.REFRESH_NANOS / 2);
        fleet.wanted();
        assertThat(reads).as("a recent read is not repeated").hasSize(1);
        nanos.addAndGet(AgentFleet.FRESH_NANOS);
        assertThat(fleet.noAgentWorker()).as("an old read is no answer").isFalse();
        fleet.wanted();
        assertThat(reads).hasSize(2);
        reads.get(1).complete(List.of(worker(EnumSet.of(JobKind.NOTE)), worker(EnumSet.allOf(JobKind.class))));
        assertThat(fleet.noAgentWorker()).as("a worker runs agents").isFalse();
    }

    @Test
    void shouldAnswerNoAtOnceWhenAWorkerThatRunsAgentsJoinedSinceTheRead() {
        fleet.wanted();
        reads.get(0).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(fleet.noAgentWorker()).isTrue();

        fleet.joined();
        assertThat(fleet.noAgentWorker())
                .as("the read before it joined is no answer")
                .isFalse();

        nanos.addAndGet(AgentFleet.REFRESH_NANOS);
        fleet.wanted();
        fleet.joined();
        reads.get(1).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(fleet.noAgentWorker())
                .as("a read under way when it joined may not have seen it")
                .isFalse();

        nanos.addAndGet(AgentFleet.REFRESH_NANOS);
        fleet.wanted();
        reads.get(2).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(fleet.noAgentWorker())
                .as("a read begun after it, which found none")
                .isTrue();
    }

    @Test
    void shouldNotTakeAnEmptyFleetOrAFailedReadAsNoAgentWorker() {
        fleet.wanted();
        reads.get(0).complete(List.of());
        assertThat(fleet.noAgentWorker()).as("no worker known: one may come").isFalse();
        nanos.addAndGet(AgentFleet.REFRESH_NANOS);
        fleet.wanted();
        reads.get(1).fail(new IllegalStateException("Redis is down"));
        assertThat(fleet.noAgentWorker()).isFalse();
        fleet.wanted();
        assertThat(reads).as("a failed read may be tried again").hasSize(3);
    }

    @Test
    void shouldTakeNoAgentWorkerAsTrueOnlyOnceTheReadsFoundSoForTheWholeGrace() {
        AgentFleet starting = new AgentFleet(registry, Duration.ofSeconds(5), SWEEP, nanos::get);
        starting.wanted();
        reads.get(0).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(starting.noAgentWorker())
                .as("a worker with an agent may still be starting")
                .isFalse();

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(3));
        starting.wanted();
        reads.get(1).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(starting.noAgentWorker()).as("3 s of 5").isFalse();

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        starting.wanted();
        reads.get(2).fail(new IllegalStateException("Redis is down"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        starting.wanted();
        reads.get(3).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        assertThat(starting.noAgentWorker())
                .as("a failed read starts the grace again")
                .isFalse();

        for (int i = 4; i < 9; i++) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            starting.wanted();
            reads.get(i).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));
        }
        assertThat(starting.noAgentWorker()).as("5 s of reads that found none").isTrue();

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        starting.wanted();
        reads.get(9).complete(List.of(worker(EnumSet.allOf(JobKind.class))));
        assertThat(starting.noAgentWorker()).isFalse();
    }

    @Test
    void shouldStartTheGraceAgainWhenTheReadsStoppedForLongerThanAnAnswerStaysFresh() {
        AgentFleet fleet = new AgentFleet(registry, Duration.ofSeconds(5), SWEEP, nanos::get);
        fleet.wanted();
        reads.get(0).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));

        nanos.addAndGet(TimeUnit.HOURS.toNanos(1)); // no agent task waited meanwhile: nobody read the fleet
        fleet.wanted();
        reads.get(1).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));

        assertThat(fleet.noAgentWorker())
                .as("two reads an hour apart are no 5 s of reads that found none: a worker may have come and gone")
                .isFalse();
    }

    @Test
    void shouldKeepAReadFreshForTheNextPassOfASlowSweep() {
        AgentFleet slow = new AgentFleet(registry, Duration.ZERO, Duration.ofSeconds(4), nanos::get);
        slow.wanted();
        reads.get(0).complete(List.of(worker(EnumSet.of(JobKind.NOTE))));

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(4)); // the next sweep
        assertThat(slow.noAgentWorker()).as("read by the sweep before").isTrue();
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2) + 1);
        assertThat(slow.noAgentWorker())
                .as("older than one and a half sweep intervals")
                .isFalse();
    }
}
