package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A blocking call whose caller gave up (interrupted, or past its wait) before the answer: a grant or an assignment that
 * comes after all is handed back, as nobody else will: else the KB stays held by nobody until its TTL.
 */
class LateAnswerTest {
    private static final KbId KB = KbId.of("team");

    private final FakeCoordinator first = new FakeCoordinator();
    private final FakeCoordinator second = new FakeCoordinator();
    private final AtomicInteger releases = new AtomicInteger();

    LateAnswerTest() throws Exception {}

    @AfterEach
    void stop() throws Exception {
        second.close();
        first.close();
    }

    /** {@code server} answers the lease request with a grant of {@code id} after {@code delayMs}, and counts releases. */
    private void grantsLate(FakeCoordinator server, String id, long delayMs) {
        server.on(
                "/v1/kbs/team/leases",
                r -> server.vertx.setTimer(
                        delayMs,
                        t -> r.response().end(Samples.lease(id, "granted", 0).encode())));
        server.on("/v1/leases/" + id, r -> {
            if (r.method() == HttpMethod.DELETE) {
                releases.incrementAndGet();
            }
            r.response().end(Samples.lease(id, "released", 0).encode());
        });
    }

    /** Runs {@code call} on this thread, interrupted 200 ms into it: it fails {@link KbsyncException.Interrupted}. */
    private void interruptedDuring(ThrowingCallable call) {
        Thread caller = Thread.currentThread();
        first.vertx.setTimer(200, t -> caller.interrupt());
        try {
            assertThatThrownBy(call).isInstanceOf(KbsyncException.Interrupted.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void shouldReleaseAGrantThatCameAfterTheCallerWasInterrupted() {
        grantsLate(first, "l1", 700);
        try (KbsyncClient client = first.client()) {
            interruptedDuring(
                    () -> client.requestLease(KB, LeaseRequest.of("bot").withWait(Duration.ofSeconds(5))));

            await().atMost(Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(releases)
                            .as("the late grant, known to nobody, released")
                            .hasValue(1));
        }
    }

    /**
     * The failover gives each coordinator the call's whole time: a long poll answered {@code COORDINATOR_STOPPING} near
     * its end is sent to the next coordinator, which may grant near the end of its own; the caller waits for that, or
     * the grant is released.
     */
    @Test
    void shouldLeaveNoGrantBehindWhenTheFailoverTakesLongerThanOneCallsTime() {
        first.on(
                "/v1/kbs/team/leases",
                r -> first.vertx.setTimer(
                        5_700,
                        t -> r.response()
                                .setStatusCode(503)
                                .putHeader("Retry-After", "1")
                                .end("{\"error\":{\"code\":\"COORDINATOR_STOPPING\",\"message\":\"stopping\"}}")));
        grantsLate(second, "l2", 5_700);
        AtomicReference<Lease> got = new AtomicReference<>();
        try (KbsyncClient client = KbsyncClient.create(
                ClientOptions.of(List.of(first.url(), second.url()), "t").withRequestTimeout(Duration.ofSeconds(1)))) {
            try {
                got.set(client.requestLease(KB, LeaseRequest.of("bot").withWait(Duration.ofSeconds(5))));
            } catch (KbsyncException.TimedOut gaveUp) { // then the grant that comes is the client's to release
            }

            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () -> assertThat(got.get() != null ? "held by the caller" : releases.get() + " releases")
                                    .isIn("held by the caller", "1 releases"));
        }
    }

    @Test
    void shouldGiveBackAnAssignmentThatCameAfterTheWorkerWasInterrupted() {
        AtomicInteger givenBack = new AtomicInteger();
        AtomicReference<String> givenBackId = new AtomicReference<>();
        first.on(
                "/v1/workers/w1/poll",
                r -> first.vertx.setTimer(
                        700,
                        t -> r.response()
                                .end(new JsonObject()
                                        .put("lease", Samples.lease("team~j1.7.ab", "granted", 0))
                                        .put("job", Samples.job("j1", "running"))
                                        .put(
                                                "kb",
                                                new JsonObject()
                                                        .put("id", "team")
                                                        .put("remote", "/r")
                                                        .put("branch", "main"))
                                        .encode())));
        first.on(
                "/v1/workers/w1/give-back",
                r -> r.body().onSuccess(body -> {
                    givenBack.incrementAndGet();
                    givenBackId.set(body.toJsonObject().getString("leaseId"));
                    r.response().end("{\"givenBack\":true}");
                }));
        try (KbsyncClient client = first.client()) {
            interruptedDuring(() -> client.poll("w1", Duration.ofSeconds(5)));

            await().atMost(Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(givenBack)
                            .as("the late assignment, run by nobody, given back")
                            .hasValue(1));
            assertThat(givenBackId).hasValue("team~j1.7.ab");
        }
    }
}
