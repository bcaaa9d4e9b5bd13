package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A heartbeat that changes what a grant's worker says it is doing tells every job running under that grant (a group
 * commit's head and members), on another coordinator too (pub/sub), once per change, in order.
 */
class DoingEventsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldTellEveryRunningJobOfAGroupCommitOnAnotherCoordinatorOncePerChange() {
        try (Coordinators coordinators = new Coordinators(redis)) {
            Engine beating = coordinators.start(Coordinators.config("c1").withLeaseTtl(Duration.ofSeconds(20)));
            Engine watching = coordinators.start(Coordinators.config("c2").withLeaseTtl(Duration.ofSeconds(20)));
            KbId kb = KbId.of("doing");
            coordinators.register(beating, "doing");
            JobService jobs = beating.services().jobs();
            LeaseService leases = beating.services().leases();
            List<Job> queued = new ArrayList<>();
            for (String text : List.of("a", "b", "c")) {
                queued.add(await(jobs.submit(kb, "ann", new JobPayload.Note(text, null, null), Optional.empty())));
            }
            Assignment head = await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
            List<Assignment> members = await(jobs.extend(head.lease().id(), 16));
            assertThat(members).hasSize(2);

            Map<String, List<String>> told = new ConcurrentHashMap<>();
            watching.services().queues().watchers().kb(kb);
            Coordinators.Node other = coordinators.node(1);
            for (Job job : queued) {
                told.put(job.id(), new CopyOnWriteArrayList<>());
                await(other.vertx()
                        .eventBus()
                        .<JobEvent>consumer(QueueAddresses.job(job.id()), m -> {
                            if (m.body() instanceof JobEvent.Doing doing) {
                                told.get(job.id()).add(doing.job().doing());
                            }
                        })
                        .completion());
            }
            Coordinators.sleep(2 * 1000); // the coordinators heard each other's presence: they publish to each other

            await(leases.heartbeat(members.get(0).lease().id(), Optional.of("committing")));
            await(leases.heartbeat(head.lease().id(), Optional.of("committing")));
            await(leases.heartbeat(members.get(1).lease().id(), Optional.of("in the push")));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> told.values().stream().allMatch(said -> said.size() >= 2));
            Coordinators.sleep(300);
            assertThat(told)
                    .allSatisfy((job, said) -> assertThat(said).as(job).containsExactly("committing", "in the push"));

            await(jobs.complete(members.get(0).job().id(), done(members.get(0))));
            await(leases.heartbeat(head.lease().id(), Optional.of("in the push again")));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> told.get(head.job().id()).size() >= 3
                            && told.get(members.get(1).job().id()).size() >= 3);
            Coordinators.sleep(300);
            assertThat(told.get(members.get(0).job().id()))
                    .as("a member that finished is told nothing more")
                    .containsExactly("committing", "in the push");

            await(jobs.complete(members.get(1).job().id(), done(members.get(1))));
            await(jobs.complete(head.job().id(), done(head)));
        }
    }

    private static JobOutcome done(Assignment assignment) {
        return new JobOutcome.Done(
                assignment.lease().id(), "c" + assignment.lease().fencingToken(), List.of(), 0);
    }
}
