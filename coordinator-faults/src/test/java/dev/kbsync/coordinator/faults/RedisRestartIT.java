package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A non-persistent single Redis is SIGKILLed and restarted empty: the coordinator reports not ready while it is down
 * and ready again after, new requests work once the KB is registered again, and everything that lived only in Redis
 * is gone: acknowledged jobs, grants, the KB registry, and the fencing counter; the next token is still above the
 * lost ones (tokens never go below the Redis clock in ms).
 */
@TimingSensitive
class RedisRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRestartIT.class);
    private static final KbId KB = KbId.of("volatile");
    private static final Duration CALL = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldReconnectAfterARestartThatLostEveryKey() {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.uri());
        try (Node node = Node.start(redisson, Node.config("r"));
                Readiness readiness = new Readiness(redis.uri())) {
            node.register(KB.value());
            Lease held = Node.get(node.leases().request(KB, "h", Duration.ofSeconds(30)), CALL);
            Job job = Node.get(
                    node.jobs().submit(KB, "ann", new JobPayload.Note("lost", null, null), Optional.empty()), CALL);
            assertThat(readiness.status()).isEqualTo(200);

            redis.process().kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> readiness.status() == 503);
            redis.process().restart();
            long restarted = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> readiness.status() == 200);
            LOG.info("ready again {} ms after the empty Redis was up", ms(System.nanoTime() - restarted));

            assertThat(code(() -> Node.get(node.jobs().get(job.id()), CALL))).isEqualTo("JOB_NOT_FOUND");
            assertThat(code(() -> Node.get(node.leases().heartbeat(held.id()), CALL)))
                    .isEqualTo("LEASE_LOST");
            assertThat(Node.get(node.engine().services().kbs().get(KB), CALL)).isEmpty();

            node.register(KB.value()); // what a coordinator does with its configured KBs when it starts
            Lease after = Node.get(node.leases().request(KB, "after", Duration.ofSeconds(30)), CALL);
            assertThat(after.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(after.fencingToken()).as("token after the data loss").isGreaterThan(held.fencingToken());
        }
    }

    /** The error code of the expected failure, with retries while the clients are still reconnecting. */
    private static String code(Supplier<?> call) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Throwable failure = catchThrowable(call::get);
            if (failure instanceof CoordinatorException e) {
                return e.code();
            }
            if (System.nanoTime() > deadline) {
                return String.valueOf(failure);
            }
            Holder.pause(200);
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
