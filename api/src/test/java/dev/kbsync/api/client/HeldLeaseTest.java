package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeldLease#lost()} against a real HTTP server: true once the coordinator says so, or once the lease's TTL
 * passed since the last heartbeat it took (the coordinator may have handed the KB on meanwhile), never while it takes
 * them.
 */
@Execution(ExecutionMode.CONCURRENT) // each test has a server and a client of its own; they mostly wait
class HeldLeaseTest {
    private static final KbId KB = KbId.of("team");

    private final FakeCoordinator server = new FakeCoordinator();
    private final KbsyncClient client = server.client();
    private final AtomicInteger heartbeats = new AtomicInteger();

    HeldLeaseTest() throws Exception {}

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    /** The lease request answers a grant of {@code ttlMs}. */
    private void grants(long ttlMs) {
        server.answer(
                "/v1/kbs/team/leases",
                200,
                Samples.lease("l1", "granted", 0).put("ttlMs", ttlMs).encode());
    }

    private HeldLease hold() {
        return hold(client);
    }

    private static HeldLease hold(KbsyncClient client) {
        return client.hold(KB, LeaseRequest.of("bot"), Duration.ofSeconds(5));
    }

    /**
     * A grant made from the queue lapses by its waiter keep-alive, a few seconds after the grant, whatever its TTL (the
     * coordinator caps its expiry there): the hold beats at once rather than after a third of the TTL, and reads the
     * grant lost once that expiry passed without a heartbeat taken, not a whole TTL later.
     */
    @Test
    void shouldBeatAtOnceAndCountFromTheGrantsOwnExpiryWhenItIsSoonerThanATtl() {
        Instant granted = Instant.now();
        server.answer(
                "/v1/kbs/team/leases",
                200,
                Samples.lease("l1", "granted", 0)
                        .put("grantedAt", granted.toString())
                        .put("expiresAt", granted.plusMillis(1_500).toString())
                        .put("ttlMs", 30_000)
                        .encode());
        server.on("/v1/leases/l1/heartbeat", r -> {
            heartbeats.incrementAndGet();
            r.response()
                    .setStatusCode(503)
                    .putHeader("Retry-After", "1")
                    .end("{\"error\":{\"code\":\"REDIS_UNAVAILABLE\",\"message\":\"Redis is unreachable\"}}");
        });
        try (HeldLease held = hold()) {
            await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.get() > 0); // the period is 10 s
            await().atMost(Duration.ofSeconds(4)).until(held::lost);
        }
    }

    /**
     * Every grant ends at its {@code deadlineAt}, whatever the heartbeats: the coordinator caps each heartbeat's expiry
     * there ({@code min(now + ttl, deadline)}), so a holder that counts a whole TTL from each heartbeat would keep
     * writing after the KB went to the next waiter. The deadline is counted on this client's clock from the grant.
     */
    @Test
    void shouldBeLostAtItsDeadlineWhateverTheHeartbeatsSay() throws Exception {
        Instant granted = Instant.now();
        Instant deadline = granted.plusMillis(3_000); // room for a loaded machine's first heartbeat
        server.answer(
                "/v1/kbs/team/leases",
                200,
                Samples.lease("l1", "granted", 0)
                        .put("grantedAt", granted.toString())
                        .put("expiresAt", deadline.toString())
                        .put("deadlineAt", deadline.toString())
                        .put("ttlMs", 30_000)
                        .encode());
        server.on(
                "/v1/leases/l1/heartbeat",
                r -> { // as the coordinator answers: the expiry capped at the deadline
                    heartbeats.incrementAndGet();
                    Instant now = Instant.now();
                    Instant expires = now.plusMillis(30_000).isBefore(deadline) ? now.plusMillis(30_000) : deadline;
                    r.response()
                            .end(Samples.lease("l1", "granted", 0)
                                    .put("grantedAt", granted.toString())
                                    .put("expiresAt", expires.toString())
                                    .put("deadlineAt", deadline.toString())
                                    .put("ttlMs", 30_000)
                                    .encode());
                });
        try (HeldLease held = hold()) {
            await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.get() > 0);
            assertThat(held.lost()).isFalse();

            Thread.sleep(Duration.between(Instant.now(), deadline).toMillis() + 1_000);

            assertThat(held.lost()).as("lost 1 s after its deadline").isTrue();
        }
    }

    /**
     * A grant learned by polling (the long poll answered {@code waiting}, then a heartbeat a second later answered
     * {@code granted}) was made up to a poll's pause before this client heard of it: its hard end counts from no later
     * than the last request answered {@code waiting}, not from when the grant was learned.
     */
    @Test
    void shouldCountTheHardEndOfAGrantLearnedByPollingFromBeforeTheGrant() throws Exception {
        server.answer(
                "/v1/kbs/team/leases", 200, Samples.lease("l1", "waiting", 1).encode());
        AtomicReference<Instant> grant = new AtomicReference<>();
        server.on("/v1/leases/l1/heartbeat", r -> {
            Instant now = Instant.now();
            if (grant.compareAndSet(null, now.plusMillis(20))) { // granted just after the first poll
                r.response().end(Samples.lease("l1", "waiting", 1).encode());
                return;
            }
            Instant deadline = grant.get().plusMillis(2_500);
            r.response().end(grantedUntil(grant.get(), now, deadline, 30_000).encode());
        });
        try (HeldLease held = hold()) {
            Instant deadline = grant.get().plusMillis(2_500);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), deadline).toMillis() + 300));

            assertThat(held.lost()).as("lost 0.3 s after its deadline").isTrue();
        }
    }

    /**
     * A grant the first poll after a long poll learned: the long poll went out long before the grant, so counting the
     * hard end from it would end the hold early; the heartbeat's answer says how long before it the grant was made (on
     * the coordinator's clock: its expiry less a TTL, against its grant), and the hold ends at its deadline, not
     * seconds before.
     */
    @Test
    void shouldNotEndAGrantLearnedByPollingSecondsBeforeItsDeadline() throws Exception {
        AtomicReference<Instant> grant = new AtomicReference<>();
        server.on(
                "/v1/kbs/team/leases",
                r -> server.vertx.setTimer(
                        2_000,
                        t -> { // a long poll that waited 2 s
                            grant.set(Instant.now().plusMillis(20));
                            r.response().end(Samples.lease("l1", "waiting", 1).encode());
                        }));
        server.on("/v1/leases/l1/heartbeat", r -> {
            Instant now = Instant.now();
            r.response()
                    .end(grantedUntil(grant.get(), now, grant.get().plusMillis(4_000), 600)
                            .encode());
        });
        try (HeldLease held = hold()) {
            Instant deadline = grant.get().plusMillis(4_000);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), deadline).toMillis() - 700));

            assertThat(held.lost()).as("held 0.7 s before its deadline").isFalse();
            Thread.sleep(1_000);
            assertThat(held.lost()).as("lost 0.3 s after it").isTrue();
        }
    }

    /** A granted lease as the coordinator answers a heartbeat taken at {@code now}: its expiry capped at the deadline. */
    private static JsonObject grantedUntil(Instant granted, Instant now, Instant deadline, long ttlMs) {
        Instant expires = now.plusMillis(ttlMs).isBefore(deadline) ? now.plusMillis(ttlMs) : deadline;
        return Samples.lease("l1", "granted", 0)
                .put("grantedAt", granted.toString())
                .put("expiresAt", expires.toString())
                .put("deadlineAt", deadline.toString())
                .put("ttlMs", ttlMs);
    }

    @Test
    void shouldStayHeldWhileItsHeartbeatsAreTaken() throws Exception {
        grants(600);
        server.on("/v1/leases/l1/heartbeat", r -> {
            heartbeats.incrementAndGet();
            r.response().end(Samples.lease("l1", "granted", 0).put("ttlMs", 600).encode());
        });
        try (HeldLease held = hold()) {
            Thread.sleep(1_500);

            assertThat(heartbeats.get()).isGreaterThanOrEqualTo(3);
            assertThat(held.lost()).isFalse();
        }
    }

    @Test
    void shouldBeLostOnceItsTtlPassedWhileHeartbeatsAnswer503() {
        grants(600);
        server.on("/v1/leases/l1/heartbeat", r -> {
            heartbeats.incrementAndGet();
            r.response()
                    .setStatusCode(503)
                    .putHeader("Retry-After", "1")
                    .end("{\"error\":{\"code\":\"REDIS_UNAVAILABLE\",\"message\":\"Redis is unreachable\"}}");
        });
        try (HeldLease held = hold()) {
            assertThat(held.lost()).isFalse();

            await().atMost(Duration.ofSeconds(5)).until(held::lost);
            assertThat(heartbeats.get()).isPositive();
        }
    }

    @Test
    void shouldBeLostOnceItsTtlPassedWhileHeartbeatsGetNoAnswer() {
        grants(600);
        server.on("/v1/leases/l1/heartbeat", r -> heartbeats.incrementAndGet()); // never answered: each times out
        try (KbsyncClient slow = KbsyncClient.create(
                        ClientOptions.of(server.url(), "t").withRequestTimeout(Duration.ofSeconds(2)));
                HeldLease held = hold(slow)) {
            assertThat(held.lost()).isFalse();

            await().atMost(Duration.ofSeconds(5)).until(held::lost);
            assertThat(heartbeats.get()).isPositive();
        }
    }

    /** A heartbeat refused for the caller's token (a rotated token, a narrowed role) cannot keep the lease. */
    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void shouldBeLostAtOnceWhenAHeartbeatIsRefusedForTheToken(int status) {
        grants(3_000); // heartbeats every second: the refusal is seen long before the TTL passes
        server.on("/v1/leases/l1/heartbeat", r -> {
            heartbeats.incrementAndGet();
            r.response()
                    .setStatusCode(status)
                    .end("{\"error\":{\"code\":\"" + (status == 401 ? "UNAUTHENTICATED" : "FORBIDDEN")
                            + "\",\"message\":\"no\"}}");
        });
        try (HeldLease held = hold()) {
            await().atMost(Duration.ofMillis(2_500)).until(held::lost);
            assertThat(heartbeats).hasValue(1);
        }
    }
}
