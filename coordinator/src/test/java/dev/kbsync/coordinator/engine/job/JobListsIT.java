package dev.kbsync.coordinator.engine.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.ListCursor;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The job list of a users-scoped caller whose scan stops early (its per-page bound) among jobs it may not see: no
 * cursor names one of them, and the pages still hold each of its own jobs once, and end.
 */
class JobListsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final EngineConfig CONFIG = new EngineConfig(
            "lists",
            Duration.ofMillis(1500),
            Duration.ofSeconds(20),
            Duration.ofSeconds(3),
            Duration.ofMillis(1500),
            Duration.ofMillis(100));

    private Vertx vertx;
    private RedissonClient client;
    private Engine engine;

    @BeforeEach
    void start() {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        vertx = Vertx.vertx();
        client = Redisson.create(Engine.tune(config, CONFIG));
        engine = await(Engine.start(vertx, client, CONFIG, MetricsSink.NONE));
    }

    @AfterEach
    void stop() {
        await(engine.stop());
        client.shutdown();
        await(vertx.close());
    }

    @Test
    void shouldNameNoJobTheCallerMayNotSeeInTheCursorOfAScanCutAmongThem() throws InterruptedException {
        KbId kb = KbId.of("cut");
        await(engine.services().kbs().register(new KbConfig(kb, "file:///tmp/cut", "main")));
        String alices = submit(kb, "alice");
        List<String> carols = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            carols.add(submit(kb, "carol"));
        }
        Redis steps = new Redis(client, vertx.getOrCreateContext(), Redis.Replication.none());
        JobLists lists =
                new JobLists(new Tickets(steps, DriverSettings.of(CONFIG), "publish"), new CursorSeal(steps), 2);

        List<String> listed = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        Optional<ListCursor> cursor = Optional.empty();
        String first = null;
        for (int page = 0; page < 10 && (page == 0 || cursor.isPresent()); page++) {
            JobPage p = await(lists.page(query(kb, cursor)));
            first = first == null ? p.nextCursor() : first;
            p.jobs().forEach(j -> listed.add(j.id()));
            cursor = Optional.ofNullable(p.nextCursor()).map(ListCursor::decode);
            Optional.ofNullable(p.nextCursor())
                    .ifPresent(c ->
                            cursors.add(new String(Base64.getUrlDecoder().decode(c), StandardCharsets.ISO_8859_1)));
        }

        ListCursor sealed = ListCursor.decode(first);
        assertThat(sealed).as("the first page's cursor, a cut at carol's job").isInstanceOf(ListCursor.Sealed.class);
        byte[] box = ((ListCursor.Sealed) sealed).box();
        box[box.length - 1] ^= 1;
        Optional<ListCursor> tampered = Optional.of(new ListCursor.Sealed(box));
        assertThatThrownBy(() -> await(lists.page(query(kb, tampered))))
                .rootCause()
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_CURSOR"));
        assertThat(cursor).as("the last page's cursor").isEmpty();
        assertThat(listed).containsExactly(alices);
        for (String carol : carols) {
            String ticket = carol.substring(carol.indexOf('~') + 1);
            assertThat(cursors).as("cursors, decoded").noneMatch(c -> c.contains(ticket));
        }
    }

    /** Alice's jobs, five a page. */
    private static JobListQuery query(KbId kb, Optional<ListCursor> cursor) {
        return new JobListQuery(List.of(kb), Optional.empty(), Optional.empty(), 5, cursor, List.of("alice"));
    }

    private String submit(KbId kb, String user) throws InterruptedException {
        Thread.sleep(2); // one ms each: the list's order is the submit order
        return await(engine.services()
                        .jobs()
                        .submit(kb, user, new JobPayload.Note("from " + user, null, null), Optional.empty()))
                .id();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
