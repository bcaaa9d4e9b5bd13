package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.BlockingLeaseChannel;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.client.LeaseChannel;
import dev.kbsync.redis.RespClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lease channel: raw leases over one WebSocket, living with it (docs/api.md, "Lease channel"). */
class LeaseChannelApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private static final Vertx raw = Vertx.vertx();

    @AfterAll
    static void closeRaw() {
        raw.close().await();
    }

    private static KbId register(String kb) {
        api.call(
                PUT,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject().put("remote", "/srv/" + kb + ".git").put("branch", "main"));
        return KbId.of(kb);
    }

    private static String state(String leaseId) {
        return api.call(GET, "/v1/leases/" + leaseId, CLIENT).bodyAsJsonObject().getString("state");
    }

    @Test
    void shouldGrantQueueHeartbeatAndReleaseOverOneChannel() {
        KbId kb = register("channel-a");
        KbsyncClient client = api.client(CLIENT);
        try (BlockingLeaseChannel one = client.openLeaseChannel();
                BlockingLeaseChannel two = client.openLeaseChannel()) {
            Lease first = one.request(kb, LeaseRequest.of("first").withTtl(Duration.ofSeconds(5)));
            Lease second = two.request(kb, LeaseRequest.of("second"));

            assertThat(first.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(first.fencingToken()).isNotNull();
            assertThat(second.state()).isEqualTo(LeaseState.WAITING);
            assertThat(second.ahead()).isEqualTo(1);
            assertThat(one.heartbeat(first.id()).state()).isEqualTo(LeaseState.GRANTED);
            assertThat(one.release(first.id()).state()).isEqualTo(LeaseState.RELEASED);
            await().atMost(Duration.ofSeconds(5)).until(() -> "granted".equals(state(second.id())));
            assertThatThrownBy(() -> one.heartbeat(first.id())).isInstanceOf(KbsyncException.LeaseLost.class);
            assertThat(two.release(second.id()).state()).isEqualTo(LeaseState.RELEASED);
        }
    }

    @Test
    void shouldKeepWhatAHeartbeatFrameSaysTheHolderIsDoingAndRefuseABadOne() throws Exception {
        KbId kb = register("channel-doing");
        try (BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            Lease held = channel.request(kb, LeaseRequest.of("backup"));
            assertThat(channel.heartbeat(held.id(), "copying\nfiles").state()).isEqualTo(LeaseState.GRANTED);
            assertThat(doing("channel-doing"))
                    .as("cleaned by the client, kept with the grant as the HTTP heartbeat's")
                    .isEqualTo("copying files");

            WebSocket socket = webSocket();
            LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
            socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
            socket.writeTextMessage(new JsonObject()
                    .put("op", "heartbeat")
                    .put("ref", "1")
                    .put("id", held.id())
                    .put("doing", "x".repeat(201))
                    .encode());
            JsonObject answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer.getInteger("status")).isEqualTo(400);
            assertThat(answer.getJsonObject("error").getString("code")).isEqualTo("INVALID_FIELD");
            assertThat(doing("channel-doing"))
                    .as("a refused frame stores nothing")
                    .isEqualTo("copying files");
            socket.close().await();
            channel.release(held.id());
        }
    }

    private static String doing(String kb) {
        return (String) RespClient.once(
                api.redis.port(), Duration.ofSeconds(2), "HGET", "kbsync:{kb:" + kb + "}:lease", "doing");
    }

    @Test
    void shouldAnswerAWaitingRequestAtItsGrantWithItsWholeTtl() throws Exception {
        KbId kb = register("channel-b");
        KbsyncClient client = api.client(CLIENT);
        try (BlockingLeaseChannel holder = client.openLeaseChannel();
                BlockingLeaseChannel waiter = client.openLeaseChannel()) {
            Lease held = holder.request(kb, LeaseRequest.of("first"));
            Future<Lease> waiting = waiter.async()
                    .request(
                            kb,
                            LeaseRequest.of("second")
                                    .withTtl(Duration.ofSeconds(60))
                                    .withWait(Duration.ofSeconds(20)));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isComplete());

            holder.release(held.id());
            Lease granted = waiting.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
            assertThat(Duration.between(Instant.now(), granted.expiresAt())).isGreaterThan(Duration.ofSeconds(50));
            waiter.release(granted.id());
        }
    }

    @Test
    void shouldTellAWaitingRequestEachMoveInTheQueueWhenAsked() throws Exception {
        KbId kb = register("channel-f");
        KbsyncClient client = api.client(CLIENT);
        try (BlockingLeaseChannel holders = client.openLeaseChannel();
                BlockingLeaseChannel waiter = client.openLeaseChannel()) {
            List<Lease> ahead = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ahead.add(holders.request(kb, LeaseRequest.of("h" + i)));
            }
            LinkedBlockingQueue<Long> moves = new LinkedBlockingQueue<>();
            Future<Lease> waiting = waiter.async()
                    .request(
                            kb,
                            LeaseRequest.of("last").withWait(Duration.ofSeconds(20)),
                            lease -> moves.add(lease.ahead()));
            await().atMost(Duration.ofSeconds(5)).until(() -> waiters("channel-f") == 3);

            holders.release(ahead.get(0).id());
            assertThat(moves.poll(10, TimeUnit.SECONDS)).isEqualTo(2L);
            holders.release(ahead.get(1).id());
            assertThat(moves.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
            assertThat(waiting.isComplete()).isFalse();
            holders.release(ahead.get(2).id());
            Lease granted = waiting.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(moves).isEmpty();
            waiter.release(granted.id());
        }
    }

    @Test
    void shouldNeverTellAWaitingRequestItMovedBackWhenItsFirstReadLandsAfterAMove() throws Exception {
        KbId kb = register("late-read"); // the test services answer a read of one of its leases late
        KbsyncClient client = api.client(CLIENT);
        try (BlockingLeaseChannel holders = client.openLeaseChannel();
                BlockingLeaseChannel waiter = client.openLeaseChannel()) {
            List<Lease> ahead = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ahead.add(holders.request(kb, LeaseRequest.of("h" + i)));
            }
            api.services.lateRead = Duration.ofMillis(1_000);
            LinkedBlockingQueue<Long> moves = new LinkedBlockingQueue<>();
            Future<Lease> waiting;
            try {
                waiting = waiter.async()
                        .request(
                                kb,
                                LeaseRequest.of("last").withWait(Duration.ofSeconds(20)),
                                lease -> moves.add(lease.ahead()));
                await().atMost(Duration.ofSeconds(5)).until(() -> api.services.lateReads.get() == 1);

                holders.release(ahead.get(0).id()); // moves it to 2 while its first read (3 ahead) is held back
                assertThat(moves.poll(10, TimeUnit.SECONDS)).isEqualTo(2L);
                Thread.sleep(1_500); // the stale read lands
            } finally {
                api.services.lateRead = Duration.ZERO;
            }
            holders.release(ahead.get(1).id());
            assertThat(moves.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
            holders.release(ahead.get(2).id());
            Lease granted = waiting.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(granted.state()).isEqualTo(LeaseState.GRANTED);
            assertThat(moves).isEmpty();
            waiter.release(granted.id());
        }
    }

    @Test
    void shouldReleaseTheLeaseOfARequestThatFailedWhileItWaited() {
        KbId kb = KbId.of("boom"); // the test services fail every read of one of its leases
        try (BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            Lease held = channel.request(kb, LeaseRequest.of("holder"));

            assertThatThrownBy(
                            () -> channel.request(kb, LeaseRequest.of("waiter").withWait(Duration.ofSeconds(10))))
                    .isInstanceOf(KbsyncException.ServerError.class);

            // its client never learned the waiting lease's id: it leaves the queue at once (not after the waiter TTL,
            // 4 s), the channel stays open
            await().atMost(Duration.ofSeconds(2)).until(() -> waiters("boom") == 0);
            assertThat(channel.isOpen()).isTrue();
            assertThat(channel.release(held.id()).state()).isEqualTo(LeaseState.RELEASED);
        }
    }

    @Test
    void shouldReleaseALeaseTheClientGaveUpOnAgainWhileRedisDoesNotTakeTheRelease() throws Exception {
        register("late-answer");
        ClientOptions options = ClientOptions.of(URI.create("http://127.0.0.1:" + api.port()), CLIENT)
                .withRequestTimeout(Duration.ofMillis(500));
        api.services.lateAnswer = Duration.ofMillis(1_000); // answered after the client gave up
        api.services.unavailableReleases.set(1); // and the client's release of it meets Redis down once
        try (KbsyncClient client = KbsyncClient.create(api.vertx, options)) {
            LeaseChannel channel = client.async().openLeaseChannel().await();
            Future<Lease> late = channel.request(
                    KbId.of("late-answer"), LeaseRequest.of("late").withTtl(Duration.ofSeconds(60)));
            await().atMost(Duration.ofSeconds(5)).until(late::isComplete);
            assertThat(late.cause()).isInstanceOf(KbsyncException.TimedOut.class);

            // the channel would keep the granted lease alive while it is open: the client releases it until it is
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> api.services.unavailableReleases.get() == 0
                            && api.call(GET, "/v1/kbs/late-answer/queue", CLIENT)
                                            .bodyAsJsonObject()
                                            .getValue("holder")
                                    == null);
            assertThat(channel.isOpen()).isTrue();
            channel.closeAsync().await();
        } finally {
            api.services.lateAnswer = Duration.ZERO;
            api.services.unavailableReleases.set(0);
        }
    }

    @Test
    void shouldKeepItsLeasesAlivePastTheirTtlAndReleaseThemWhenItCloses() throws Exception {
        KbId kb = register("channel-c");
        KbsyncClient client = api.client(CLIENT);
        BlockingLeaseChannel channel = client.openLeaseChannel();
        Lease held = channel.request(kb, LeaseRequest.of("holder").withTtl(Duration.ofSeconds(2)));
        Lease queued = channel.request(kb, LeaseRequest.of("queued"));

        Thread.sleep(4_500); // twice the grant's TTL and the waiter's (2 s)
        assertThat(state(held.id())).isEqualTo("granted");
        assertThat(state(queued.id())).isEqualTo("waiting");
        channel.close();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> "released".equals(state(held.id())) && "released".equals(state(queued.id())));
        assertThat(channel.isOpen()).isFalse();
        assertThatThrownBy(() -> channel.heartbeat(held.id())).isInstanceOf(KbsyncException.Unreachable.class);
    }

    @Test
    void shouldShowItsChannelsAndTheLeasesTheyKeepAliveOnTheMetrics() {
        KbId kb = register("channel-g");
        KbsyncClient client = api.client(CLIENT);
        BlockingLeaseChannel channel = client.openLeaseChannel();
        Lease released = channel.request(kb, LeaseRequest.of("released"));
        channel.request(kb, LeaseRequest.of("kept"));
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("kbsync_lease_channels") == 1);
        assertThat(gauge("kbsync_lease_channel_leases")).isEqualTo(2);

        channel.release(released.id());
        assertThat(gauge("kbsync_lease_channel_leases")).isEqualTo(1);
        channel.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("kbsync_lease_channels") == 0);
        assertThat(gauge("kbsync_lease_channel_leases")).isZero();
    }

    @Test
    void shouldStopKeepingALeaseThatEndedOutsideTheChannel() {
        KbId deleted = register("channel-h");
        KbId forced = register("channel-i");
        KbId lost = register("channel-j");
        try (BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            Lease viaHttp = channel.request(deleted, LeaseRequest.of("deleted"));
            channel.request(forced, LeaseRequest.of("forced"));
            Lease expired = channel.request(lost, LeaseRequest.of("expired"));
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge("kbsync_lease_channel_leases") == 3);

            // a lease the channel learns is lost from its own heartbeat is let go at once, before any keep-alive beat
            api.call(DELETE, "/v1/leases/" + expired.id(), CLIENT);
            assertThatThrownBy(() -> channel.heartbeat(expired.id())).isInstanceOf(KbsyncException.LeaseLost.class);
            assertThat(gauge("kbsync_lease_channel_leases")).isEqualTo(2);

            api.call(DELETE, "/v1/leases/" + viaHttp.id(), CLIENT);
            assertThat(api.call(POST, "/v1/admin/kbs/channel-i/force-release", ADMIN)
                            .statusCode())
                    .isEqualTo(200);
            // the others within a keep-alive period or two: nothing is kept alive, nothing is released at close
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge("kbsync_lease_channel_leases") == 0);
            assertThat(channel.isOpen()).isTrue();
        }
    }

    /** A gauge of the coordinator's metrics without labels. */
    private static long gauge(String name) {
        String scrape = api.call(GET, "/metrics", ADMIN).bodyAsString();
        return scrape.lines()
                .filter(line -> line.startsWith(name + " "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(name.length() + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not on /metrics"));
    }

    @Test
    void shouldReleaseTheLeasesOfAClientThatStopsAnsweringPings() throws Exception {
        KbId kb = register("channel-d");
        LeaseChannel channel = api.client(CLIENT).async().openLeaseChannel().await();
        Lease held = channel.request(kb, LeaseRequest.of("live")).await();
        // a hung client: a channel that sends one request and then never reads again (so it answers no ping)
        try (Socket hung = hungChannel(new JsonObject()
                .put("op", "request")
                .put("ref", "r1")
                .put("kb", kb.value())
                .put("holder", "hung"))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> waiters("channel-d") == 1);

            // the silence limit is the keep-alive interval (1 s here); the live channel is unaffected
            await().atMost(Duration.ofSeconds(6)).until(() -> waiters("channel-d") == 0);
            assertThat(state(held.id())).isEqualTo("granted");
            assertThat(channel.isOpen()).isTrue();
        }
        channel.release(held.id()).await();
        channel.closeAsync().await();
    }

    private static int waiters(String kb) {
        return api.call(GET, "/v1/kbs/" + kb + "/queue", CLIENT)
                .bodyAsJsonObject()
                .getJsonArray("waiters")
                .size();
    }

    /** A WebSocket opened by hand on a plain socket: the upgrade, one masked text frame, then nothing more. */
    private static Socket hungChannel(JsonObject frame) throws IOException {
        Socket socket = new Socket("127.0.0.1", api.port());
        OutputStream out = socket.getOutputStream();
        LeaseChannelFuzzIT.upgrade(socket, CLIENT, "");
        byte[] payload = frame.encode().getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isLessThan(126);
        byte[] mask = {1, 2, 3, 4};
        out.write(new byte[] {(byte) 0x81, (byte) (0x80 | payload.length)});
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
        return socket;
    }

    @Test
    void shouldAnswerEveryBadFrameWithItsErrorAndStayOpen() throws Exception {
        register("channel-e");
        WebSocket socket = webSocket();
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
        List<String> frames = List.of(
                "not json",
                "{\"op\":\"request\"}",
                "{\"op\":\"lock\",\"ref\":\"1\"}",
                "{\"op\":\"request\",\"ref\":\"2\",\"kb\":\"Bad KB\",\"holder\":\"h\"}",
                "{\"op\":\"request\",\"ref\":\"3\",\"kb\":\"channel-e\"}",
                "{\"op\":\"request\",\"ref\":\"4\",\"kb\":\"channel-e\",\"holder\":\"h\",\"ttlMs\":10}",
                "{\"op\":\"request\",\"ref\":\"5\",\"kb\":\"channel-e\",\"holder\":\"h\",\"color\":\"red\"}",
                "{\"op\":\"request\",\"ref\":\"6\",\"kb\":\"nowhere\",\"holder\":\"h\"}",
                "{\"op\":\"release\",\"ref\":\"7\",\"id\":\"channel-e~missing\"}",
                "{\"op\":\"request\",\"ref\":\"8\",\"kb\":\"channel-e\",\"holder\":\"h\",\"waitMs\":-1}",
                "{\"ref\":\"no-op\",\"kb\":\"channel-e\",\"holder\":\"h\"}",
                "{\"op\":1,\"ref\":\"op-number\"}");
        frames.forEach(socket::writeTextMessage);
        List<String> expected = List.of(
                "null 400 INVALID_FRAME",
                "null 400 INVALID_FRAME",
                "1 400 INVALID_FRAME",
                "2 400 INVALID_KB",
                "3 400 MISSING_FIELD",
                "4 400 INVALID_TTL",
                "5 400 UNKNOWN_FIELD",
                "6 404 KB_NOT_FOUND",
                "7 404 LEASE_NOT_FOUND",
                "8 400 INVALID_FIELD",
                "no-op 400 INVALID_FRAME",
                "op-number 400 INVALID_FRAME");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) { // answers come as each is ready, not in order
            JsonObject answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("answer " + i + " of " + got).isNotNull();
            got.add(answer.getString("ref") + " " + answer.getInteger("status") + " "
                    + answer.getJsonObject("error").getString("code"));
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(api.call(GET, "/v1/kbs/channel-e/queue", CLIENT)
                        .bodyAsJsonObject()
                        .getValue("holder"))
                .as("nothing stored")
                .isNull();
        socket.writeTextMessage("{\"op\":\"request\",\"ref\":\"9\",\"kb\":\"channel-e\",\"holder\":\"h\"}");
        JsonObject granted = answers.poll(10, TimeUnit.SECONDS);
        assertThat(granted.getJsonObject("lease").getString("state")).isEqualTo("granted");
        socket.close().await();
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        "released".equals(state(granted.getJsonObject("lease").getString("id"))));
    }

    @Test
    void shouldRefuseALeaseBeyondWhatAChannelKeepsAndTakeItOnceOneIsReleased() throws Exception {
        register("channel-cap");
        WebSocket socket = webSocket();
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
        int sent = dev.kbsync.coordinator.http.LeaseChannel.MAX_LEASES + 5;
        List<String> leases = new ArrayList<>();
        List<JsonObject> refused = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            socket.writeTextMessage(
                    "{\"op\":\"request\",\"ref\":\"" + i + "\",\"kb\":\"channel-cap\",\"holder\":\"h" + i + "\"}");
            if (i % 100 == 99 || i == sent - 1) { // 100 in flight at a time
                for (int n = leases.size() + refused.size(); n <= i; n++) {
                    JsonObject answer = answers.poll(30, TimeUnit.SECONDS);
                    assertThat(answer).as("answer " + n).isNotNull();
                    if (answer.containsKey("lease")) {
                        leases.add(answer.getJsonObject("lease").getString("id"));
                    } else {
                        refused.add(answer);
                    }
                }
            }
        }

        assertThat(leases).hasSize(dev.kbsync.coordinator.http.LeaseChannel.MAX_LEASES);
        assertThat(refused).hasSize(5).allSatisfy(answer -> {
            assertThat(answer.getInteger("status")).isEqualTo(429);
            assertThat(answer.getJsonObject("error").getString("code")).isEqualTo("TOO_MANY_LEASES");
            assertThat(answer.getLong("retryAfterMs")).isPositive();
        });
        assertThat(waiters("channel-cap"))
                .as("nothing stored for a refused one")
                .isEqualTo(dev.kbsync.coordinator.http.LeaseChannel.MAX_LEASES - 1);
        socket.writeTextMessage("{\"op\":\"release\",\"ref\":\"r\",\"id\":\"" + leases.get(1) + "\"}");
        assertThat(answers.poll(10, TimeUnit.SECONDS).getJsonObject("lease").getString("state"))
                .isEqualTo("released");
        socket.writeTextMessage("{\"op\":\"request\",\"ref\":\"again\",\"kb\":\"channel-cap\",\"holder\":\"h\"}");
        assertThat(answers.poll(10, TimeUnit.SECONDS).getJsonObject("lease").getString("state"))
                .isEqualTo("waiting");
        socket.close().await();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters("channel-cap") == 0);
    }

    @Test
    void shouldKeepAChannelWhoseClientReadsItsAnswersLateAfterABurst() throws Exception {
        register("channel-burst");
        WebSocket socket = webSocket();
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));
        socket.writeTextMessage("{\"op\":\"request\",\"ref\":\"r\",\"kb\":\"channel-burst\",\"holder\":\"h\"}");
        String id = answers.poll(10, TimeUnit.SECONDS).getJsonObject("lease").getString("id");
        socket.pause(); // busy elsewhere for a moment, less than the ping silence (1 s here)
        int sent = 4_000; // a few MB of answers: more than the network buffers hold
        for (int i = 0; i < sent; i++) {
            socket.writeTextMessage("{\"op\":\"heartbeat\",\"ref\":\"" + i + "\",\"id\":\"" + id + "\"}");
        }
        Thread.sleep(600);
        socket.resume();

        for (int i = 0; i < sent; i++) {
            JsonObject answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("answer " + i).isNotNull();
            if (!answer.containsKey("lease")) { // more calls under way than a channel takes: refused, not dropped
                assertThat(answer.getJsonObject("error").getString("code")).isEqualTo("TOO_MANY_CALLS");
            }
        }
        assertThat(state(id)).as("the channel kept its lease").isEqualTo("granted");
        socket.writeTextMessage("{\"op\":\"release\",\"ref\":\"end\",\"id\":\"" + id + "\"}");
        assertThat(answers.poll(10, TimeUnit.SECONDS).getJsonObject("lease").getString("state"))
                .isEqualTo("released");
        socket.close().await();
    }

    @Test
    void shouldReleaseTheLeaseOfABlockingRequestWhoseCallerWasInterrupted() throws Exception {
        KbId kb = register("channel-interrupt");
        KbsyncClient client = api.client(CLIENT);
        try (BlockingLeaseChannel holder = client.openLeaseChannel();
                BlockingLeaseChannel waiter = client.openLeaseChannel()) {
            Lease held = holder.request(kb, LeaseRequest.of("first"));
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    waiter.request(kb, LeaseRequest.of("gave-up").withWait(Duration.ofSeconds(20)));
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            caller.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> waiters("channel-interrupt") == 1);

            caller.interrupt();
            caller.join(5_000);
            assertThat(thrown.get()).isInstanceOf(KbsyncException.Interrupted.class);
            holder.release(held.id());

            await().atMost(Duration.ofSeconds(5))
                    .alias("nobody will use the lease its caller gave up on: released at its grant, not kept alive")
                    .until(() -> api.call(GET, "/v1/kbs/channel-interrupt/queue", CLIENT)
                                    .bodyAsJsonObject()
                                    .getValue("holder")
                            == null);
        }
    }

    @Test
    void shouldAnswerACallWhoseServiceThrewOnceAndOnlyOnce() throws Exception {
        register("throws-now");
        WebSocket socket = webSocket();
        LinkedBlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
        socket.textMessageHandler(text -> answers.add(new JsonObject(text)));

        socket.writeTextMessage("{\"op\":\"request\",\"ref\":\"t\",\"kb\":\"throws-now\",\"holder\":\"h\"}");

        JsonObject answer = answers.poll(10, TimeUnit.SECONDS);
        assertThat(answer).isNotNull();
        assertThat(answer.getString("ref")).isEqualTo("t");
        assertThat(answer.getInteger("status")).isEqualTo(500);
        assertThat(answer.encode()).doesNotContain("secret internal detail");
        assertThat(answers.poll(HttpApi.REDIS_DEADLINE.toMillis() + 2_000, TimeUnit.MILLISECONDS))
                .as("no second answer when Redis's bound on the call is over")
                .isNull();
        socket.close().await();
    }

    @Test
    void shouldRefuseAPlainRequestAndAMissingToken() {
        assertError(api.call(GET, "/v1/leases/channel", CLIENT), 426, "UPGRADE_REQUIRED");
        KbsyncClient anonymous = api.client(null);
        assertThatThrownBy(() -> anonymous.openLeaseChannel()).isInstanceOf(KbsyncException.Unauthenticated.class);
        assertError(api.call(DELETE, "/v1/leases/channel", CLIENT), 404, "LEASE_NOT_FOUND");
    }

    /** RFC 6455: the handshake's key is a base64-encoded 16-byte nonce; anything else is no WebSocket handshake. */
    @Test
    void shouldRefuseAHandshakeWhoseKeyIsNotABase64SixteenByteNonce() throws IOException {
        for (String key : List.of("short", "!!!!", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZSEh", "AAAA")) {
            assertThat(handshake(key)).as(key).startsWith("HTTP/1.1 400").contains("\"BAD_REQUEST\"");
        }
        assertThat(handshake("dGhlIHNhbXBsZSBub25jZQ==")).startsWith("HTTP/1.1 101");
    }

    /** A WebSocket handshake of the channel with {@code key}, sent as raw bytes; the answer's head (and body). */
    private static String handshake(String key) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /v1/leases/channel HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                                    + "\r\nSec-WebSocket-Key: " + key + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (true) { // up to the end of the head, and of the body its Content-Length names
                String answer = bytes.toString(StandardCharsets.UTF_8);
                int head = answer.indexOf("\r\n\r\n");
                if (head >= 0) {
                    Matcher length =
                            Pattern.compile("(?i)content-length: *(\\d+)").matcher(answer.substring(0, head));
                    if (bytes.size() - head - 4 >= (length.find() ? Integer.parseInt(length.group(1)) : 0)) {
                        return answer;
                    }
                }
                int b = socket.getInputStream().read();
                if (b < 0) {
                    return answer;
                }
                bytes.write(b);
            }
        }
    }

    /** A raw WebSocket to the channel with the client token. */
    private static WebSocket webSocket() {
        WebSocketClient client = raw.createWebSocketClient();
        return client.connect(new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(api.port())
                        .setURI("/v1/leases/channel")
                        .putHeader("Authorization", "Bearer " + CLIENT))
                .await();
    }
}
