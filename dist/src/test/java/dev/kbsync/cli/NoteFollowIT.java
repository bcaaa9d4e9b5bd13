package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.redis.Fsync;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kbsync note} as a user runs it against a real stack (the case): the demo KB held by a raw lease, three
 * notes queued, then the user's note; it runs as a member of the group commit of the three, so its {@code running}
 * line must carry the token of its own grant, and no line may print {@code null}.
 */
class NoteFollowIT {
    private static final KbId DEMO = KbId.of(EmbeddedStack.DEMO_KB);

    @TempDir
    Path data;

    @Test
    void shouldFollowANoteThatRunsInAGroupCommitWithItsEtaBandAndTokenAndNoNull() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(new StackOptions(data, Optional.empty(), Fsync.ALWAYS, 0, 1));
                KbsyncClient api = KbsyncClient.create(ClientOptions.of(stack.baseUrl(), null))) {
            Lease holder = api.requestLease(DEMO, LeaseRequest.of("bot").withTtl(Duration.ofSeconds(60)));
            for (String text : List.of("one", "two", "three")) {
                api.submitNote(DEMO, NoteRequest.of("ann", text));
            }
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> api.queue(DEMO).waiters().size() == 4);
                api.release(holder.id());
            });
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream original = System.out;
            int exit;
            try {
                System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
                exit = KbsyncCli.run(
                        "note", "--url", stack.baseUrl().toString(), "--kb", "demo", "--user", "zed", "my note");
            } finally {
                System.setOut(original);
            }
            release.get();
            String out = bytes.toString(StandardCharsets.UTF_8);

            assertThat(exit).as(out).isZero();
            String waiting = out.lines().findFirst().orElse("");
            java.util.regex.Matcher band = java.util.regex.Pattern.compile("waiting: 4 ahead, ~(\\d+)-(\\d+) s")
                    .matcher(waiting);
            assertThat(band.matches()).as(out).isTrue();
            assertThat(Long.parseLong(band.group(1)))
                    .as("behind a 60 s lease (nothing measured yet: its TTL, less what it held when the note came;"
                            + " the note joins the three notes' group commit), not ~<1 s")
                    .isBetween(20L, 60L);
            assertThat(Long.parseLong(band.group(2))).isGreaterThan(Long.parseLong(band.group(1)));
            assertThat(out).containsPattern("(?m)^running \\(fencing token \\d+\\)$");
            assertThat(out).contains("done: commit ").doesNotContain("null");
        }
    }
}
