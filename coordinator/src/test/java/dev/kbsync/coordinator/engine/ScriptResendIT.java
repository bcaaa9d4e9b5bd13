package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A step whose answer comes late is never run again behind its caller's back: Redisson sends a command again after
 * its timeout unless told not to, and a step run twice may answer for its second run (a cancel that took effect
 * answered JOB_ENDED, a claim dropped, a submit that was stored answered 429). Its caller gets 503 REDIS_UNAVAILABLE
 * instead, and the step ran once.
 */
class ScriptResendIT {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;
    FaultProxy proxy;
    JobService viaProxy;
    JobService direct;

    @BeforeEach
    void start() {
        proxy = FaultProxy.to(redis.port());
        coordinators = new Coordinators(redis);
        EngineConfig base = Coordinators.config("x");
        viaProxy = coordinators
                .start(
                        base.withId("proxied").withSweepInterval(Duration.ofMinutes(1)),
                        MetricsSink.NONE,
                        proxy.uri(),
                        TIMEOUT)
                .engine()
                .services()
                .jobs();
        Engine other = coordinators.start(base.withId("direct"));
        coordinators.register(other, "resent");
        direct = other.services().jobs();
    }

    @AfterEach
    void stop() {
        proxy.close();
        coordinators.kill(0);
        coordinators.close();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldAnswerALateCancel503AndNeverRunItAgain() throws Exception {
        Job job = await(direct.submit(KbId.of("resent"), "ann", note("cancel me"), Optional.empty()));
        Job warmUp = await(direct.submit(KbId.of("resent"), "ann", note("cancelled first"), Optional.empty()));
        Job behind = await(direct.submit(KbId.of("resent"), "ann", note("behind it"), Optional.empty()));
        await(viaProxy.cancel(warmUp.id(), Optional.empty())); // the cancel step is in Redis' script cache now

        proxy.recordCommands();
        proxy.holdResponsesAfter("{kb:resent}");
        Future<Job> cancel = viaProxy.cancel(behind.id(), Optional.empty());
        Thread.sleep(3 * TIMEOUT.toMillis() + 1_500); // past the timeout, and past a resend's retry interval
        proxy.releaseResponses();
        List<List<String>> sent = proxy.commands();
        Throwable failure = cancel.toCompletionStage()
                .toCompletableFuture()
                .handle((j, e) -> e)
                .get(10, TimeUnit.SECONDS);

        assertThat(sent.stream().filter(c -> c.get(0).equals("EVALSHA")))
                .as("the cancel step reached Redis once")
                .hasSize(1);
        assertThat(failure).as("late, so unknown: retry").isInstanceOf(UnavailableException.class);
        assertThat(await(direct.get(behind.id())).state()).isEqualTo(JobState.CANCELLED);
        assertThat(await(direct.get(job.id())).state()).isEqualTo(JobState.QUEUED);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
