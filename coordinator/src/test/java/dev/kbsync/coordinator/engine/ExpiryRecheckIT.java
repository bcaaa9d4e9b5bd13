package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every script re-checks a grant's expiry itself, whether or not a sweep ran: the only coordinator here sweeps once
 * a minute, so within a test nothing but the scripts can tell that a grant is dead.
 */
class ExpiryRecheckIT {
    private static final Duration LEASE_TTL = Duration.ofMillis(1000);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        EngineConfig base = Coordinators.config("lazy");
        Engine lazy = coordinators.start(new EngineConfig(
                "lazy",
                LEASE_TTL,
                Duration.ofSeconds(20),
                base.waiterTtl(),
                base.lockWatchdog(),
                Duration.ofMinutes(1)));
        coordinators.register(lazy, "unclaimed", "extend");
        jobs = lazy.services().jobs();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldNotHandOutAGrantThatExpiredBeforeItWasClaimed() {
        KbId kb = KbId.of("unclaimed");
        await(jobs.submit(kb, "ann", note("late"), Optional.empty()));
        sleep(LEASE_TTL.toMillis() + 300);

        assertThat(await(jobs.poll("w", Duration.ofMillis(300)))).isEmpty();
    }

    @Test
    void shouldRefuseToExtendAGrantPastItsExpiry() {
        KbId kb = KbId.of("extend");
        await(jobs.submit(kb, "ann", note("head"), Optional.empty()));
        await(jobs.submit(kb, "ann", note("member"), Optional.empty()));
        Assignment head = await(jobs.poll("w", Duration.ofSeconds(5))).orElseThrow();
        sleep(LEASE_TTL.toMillis() + 300);

        assertThatThrownBy(() -> await(jobs.extend(head.lease().id(), 4)))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
