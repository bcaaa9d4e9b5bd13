package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static final KbId KB = KbId.of("dg");

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheNextAnsweredEntryReadableAfterAnAppendThatStoppedHalfWay() throws IOException {
        try (Journal journal = Journal.open(dir, 100)) {
            Job first = job("first");
            journal.append(first, Optional.empty(), "");
            // What an append cut short by a full disk leaves behind (answered 503, never accepted).
            Files.write(
                    dir.resolve(Journal.FILE),
                    "{\"job\":{\"id\":\"dg~torn".getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.APPEND);
            Job second = job("second");
            journal.append(second, Optional.empty(), "");

            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), second.id());
        }
    }

    @Test
    void shouldKeepTheSubmittingTokenOfAnEntryAndReadOneWrittenWithoutIt() throws IOException {
        Job old = job("written before entries kept their submitter");
        try (Journal journal = Journal.open(dir, 100)) {
            Files.writeString(
                    dir.resolve(Journal.FILE),
                    new JsonObject().put("job", old.toJson()).put("key", null).encode() + "\n",
                    StandardOpenOption.APPEND);
            journal.append(job("mine"), Optional.of("k-1"), "client-a");

            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).submitter())
                    .containsExactly("", "client-a");
        }
    }

    @Test
    void shouldKeepALineThatCannotBeReadForTheOperatorOnce() throws IOException {
        try (Journal journal = Journal.open(dir, 100)) {
            Job first = job("first");
            journal.append(first, Optional.empty(), "");
            Files.writeString(dir.resolve(Journal.FILE), "{\"job\":\"not a job\"}\n", StandardOpenOption.APPEND);
            Job second = job("second");
            journal.append(second, Optional.empty(), "");

            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), second.id());
            journal.readFrom(0);
            assertThat(Files.readAllLines(dir.resolve(Journal.REJECTED)))
                    .singleElement()
                    .satisfies(kept -> assertThat(new JsonObject(kept).getString("unreadable"))
                            .isEqualTo("{\"job\":\"not a job\"}"));
        }
    }

    @Test
    void shouldLeaveNoLineOfAnAppendWhoseFsyncFailed() throws IOException {
        AtomicInteger failing = new AtomicInteger();
        try (Journal journal = Journal.open(dir, 100, failing(failing))) {
            Job first = job("first");
            journal.append(first, Optional.empty(), "");
            long kept = Files.size(dir.resolve(Journal.FILE));

            failing.set(1); // the refused job's fsync
            assertThatThrownBy(() -> journal.append(job("refused: answered 503"), Optional.empty(), ""))
                    .isInstanceOf(IOException.class);

            assertThat(Files.size(dir.resolve(Journal.FILE)))
                    .as("cut back to its size before the append")
                    .isEqualTo(kept);
            Job next = job("next");
            journal.append(next, Optional.empty(), "");
            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), next.id());
        }
    }

    @Test
    void shouldTakeNothingMoreWhileARefusedAppendCannotBeCutFromTheJournal() throws IOException {
        AtomicInteger failing = new AtomicInteger();
        try (Journal journal = Journal.open(dir, 100, failing(failing))) {
            Job first = job("first");
            journal.append(first, Optional.empty(), "");

            failing.set(Integer.MAX_VALUE); // the refused job's fsync, and the fsync of its cut
            assertThatThrownBy(() -> journal.append(job("refused: answered 503"), Optional.empty(), ""))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> journal.append(job("refused too"), Optional.empty(), ""))
                    .as("unavailable until the refused job is cut")
                    .isInstanceOf(IOException.class);
            assertThat(journal.readFrom(0))
                    .as("a refused job is never read back (nor restored)")
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id());

            failing.set(0); // the disk is back: the next append cuts first
            Job next = job("next");
            journal.append(next, Optional.empty(), "");
            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), next.id());
        }
    }

    /**
     * The journal is read in chunks, not into one array (it may pass 2 GiB: large notes, a long outage): records span
     * chunks, and a line longer than any record (a damaged file) is skipped without being held, logged and noted in
     * {@link Journal#REJECTED} by its place and length.
     */
    @Test
    void shouldReadRecordsAcrossChunksAndSkipALineLongerThanAnyRecord() throws IOException {
        Journal.Reads reads = new Journal.Reads(2_000, 7);
        Job first = job("ünïcødé 日本語 notes: characters of several bytes cut across the 7-byte reads");
        Job last = job("last");
        try (Journal journal = Journal.open(dir, 100, Journal.Disk.REAL, reads)) {
            journal.append(first, Optional.empty(), "");
            Files.write(dir.resolve(Journal.FILE), ("x".repeat(5_000) + "\n").getBytes(), StandardOpenOption.APPEND);
            journal.append(last, Optional.empty(), "");

            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), last.id());
        }
        assertThat(Files.readString(dir.resolve(Journal.REJECTED)))
                .contains("\"length\":5000")
                .hasSizeLessThan(1000);
    }

    /**
     * {@link #shouldReadRecordsAcrossChunksAndSkipALineLongerThanAnyRecord} at full size: a journal past 2 GiB opens
     * and reads (a sparse file; about 10 s, so only with {@code -Dkbsync.large=true}).
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "kbsync.large", matches = "true")
    void shouldOpenAndReadAJournalPastTwoGibibytes() throws IOException {
        Job first = job("first");
        Job last = job("last");
        Path file = dir.resolve(Journal.FILE);
        try (Journal journal = Journal.open(dir, 100)) {
            journal.append(first, Optional.empty(), "");
        }
        try (java.nio.channels.FileChannel channel =
                java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            long hole = channel.size() + (1L << 31); // sparse: no disk space taken
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}), hole);
        }
        try (Journal journal = Journal.open(dir, 100)) {
            journal.append(last, Optional.empty(), "");

            assertThat(journal.readFrom(0))
                    .map(r -> ((Journal.Entry) r).job().id())
                    .containsExactly(first.id(), last.id());
        }
        assertThat(Files.readString(dir.resolve(Journal.REJECTED)))
                .contains("\"length\":" + (1L << 31))
                .hasSizeLessThan(1000);
    }

    /** A disk whose next {@code failing} fsyncs fail. */
    private static Journal.Disk failing(AtomicInteger failing) {
        return (channel, metaData) -> {
            if (failing.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                throw new IOException("fsync failed (simulated)");
            }
            channel.force(metaData);
        };
    }

    private static Job job(String text) {
        return Job.queued(JobRef.create(KB).id(), KB, "u", new JobPayload.Note(text, null, null), Instant.now());
    }
}
