package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KBs a degraded mode knows outlive the process in {@code <journalDir>/kbs.json}: written whole when the set
 * changes, read back at the next start; a torn or corrupt file is logged and does not keep the coordinator from
 * starting (its configured KBs are known anyway).
 */
class KnownKbsTest {
    private static final KbConfig CONF = new KbConfig(KbId.of("conf"), "/srv/git/conf.git", "main");
    private static final KbConfig REG = new KbConfig(KbId.of("reg"), "/srv/git/reg.git", "main");

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private DegradedMode open(List<KbConfig> configured) {
        RedisHealth health = new RedisHealth(vertx, () -> Future.failedFuture("no Redis"));
        return DegradedMode.open(vertx, dir, 100, Duration.ofMinutes(1), health, null, configured)
                .await();
    }

    @Test
    void shouldKnowAKbSeenByAnEarlierRunAfterARestart() throws Exception {
        DegradedMode first = open(List.of(CONF));
        first.known(REG);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(dir.resolve(KnownKbs.FILE))
                        && Files.readString(dir.resolve(KnownKbs.FILE)).contains("reg"));
        first.stop().await(); // its journal (and the directory's lock) closed before the next run opens it

        DegradedMode second = open(List.of(CONF));
        assertThat(second.knows(KbId.of("reg"))).isTrue();
        assertThat(second.knows(KbId.of("conf"))).isTrue();
        assertThat(second.knows(KbId.of("nope"))).isFalse();
        second.stop().await();
        assertThat(KnownKbs.read(dir)).containsExactlyInAnyOrder(CONF, REG);
    }

    @Test
    void shouldStartOnATornFileKnowingItsConfiguredKbsAndLogIt() throws Exception {
        String whole = "{\"kbs\":[" + REG.toJson().encode() + "]}";
        Files.writeString(dir.resolve(KnownKbs.FILE), whole.substring(0, whole.length() / 2), StandardCharsets.UTF_8);
        try (LogCapture logs = new LogCapture()) {
            DegradedMode mode = open(List.of(CONF));
            assertThat(mode.knows(KbId.of("conf"))).isTrue();
            assertThat(mode.knows(KbId.of("reg"))).isFalse();
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains(KnownKbs.FILE));
            mode.stop().await();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> KnownKbs.read(dir).equals(List.of(CONF)));
    }

    @Test
    void shouldSkipAnEntryItCannotReadAndKeepTheOthers() throws Exception {
        Files.writeString(
                dir.resolve(KnownKbs.FILE),
                "{\"kbs\":[{\"id\":\"bad id!\"}," + REG.toJson().encode() + ",42]}",
                StandardCharsets.UTF_8);
        assertThat(KnownKbs.read(dir)).containsExactly(REG);
    }

    @Test
    void shouldReadNothingWithoutAFile() {
        assertThat(KnownKbs.read(dir)).isEmpty();
    }
}
