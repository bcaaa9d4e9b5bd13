package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal file of one coordinator ({@code journal.jsonl} in its directory, one JSON line per record):
 * accepted jobs ({@link Entry}), the local grants they were handed out under ({@link Handed}) and the degraded runs
 * that landed them ({@link Landed}). Every append is fsynced before it returns, and one that fails is cut from the
 * file before it throws (never read back: see {@link #write(Record, boolean)}); reading from an offset skips a torn
 * last line (a crash during an append that was never answered) and a line that cannot be read (logged, and kept in
 * {@link #REJECTED} for the operator); {@link #truncate} empties it, keeping each KB's last
 * local fencing token in {@code fences.json} next to it. The directory is locked for this process (a second
 * coordinator on the same directory fails to open it). Blocking: call it off the event loop, from one thread at a time.
 */
final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    static final String FILE = "journal.jsonl";
    static final String REJECTED = "rejected.jsonl";
    static final String FENCES = "fences.json";

    /**
     * How the file is read: {@code maxLine}, the longest line read as a record (a longer one is damage: no request body
     * is over 16 MiB), in reads of {@code chunk} bytes.
     */
    record Reads(long maxLine, int chunk) {
        static final Reads DEFAULT = new Reads(64L << 20, 1 << 20);
    }

    /** One line of the journal, and the offset right after it. */
    sealed interface Record {
        long end();

        JsonObject toJson();
    }

    /**
     * One accepted job, its idempotency key if any, and the name of the token that submitted it ('' when unknown: an
     * entry written before entries kept it; that token, or an admin, may cancel or retry the job once in Redis).
     */
    record Entry(Job job, Optional<String> key, String submitter, long end) implements Record {
        Entry {
            submitter = submitter == null ? "" : submitter;
        }

        /** Without a submitter. */
        Entry(Job job, Optional<String> key, long end) {
            this(job, key, "", end);
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject()
                    .put("job", job.toJson())
                    .put("key", key.orElse(null))
                    .put("submitter", submitter);
        }
    }

    /** A journal job handed to a worker under the local fencing token {@code token} of its KB. */
    record Handed(String jobId, KbId kb, long token, long end) implements Record {
        @Override
        public JsonObject toJson() {
            return new JsonObject().put("handed", jobId).put("kb", kb.value()).put("token", token);
        }
    }

    /** A journal job a degraded run landed under {@code token}, with the worker's outcome. */
    record Landed(String jobId, long token, JobOutcome.Done outcome, long end) implements Record {
        @Override
        public JsonObject toJson() {
            return new JsonObject().put("landed", jobId).put("token", token).put("outcome", outcome.toJson());
        }
    }

    /**
     * A journal job now in Redis: a coordinator restarted on this journal before its truncation leaves it to Redis
     * (not handed out or restored again).
     */
    record Restored(String jobId, long end) implements Record {
        @Override
        public JsonObject toJson() {
            return new JsonObject().put("restored", jobId);
        }
    }

    /** The journal holds its most entries, or cannot be written. */
    static final class UnwritableException extends IOException {
        private static final long serialVersionUID = 1L;

        UnwritableException(String message) {
            super(message);
        }
    }

    /** How an append reaches the disk ({@link FileChannel#force}); a test's fails. */
    interface Disk {
        Disk REAL = FileChannel::force;

        void force(FileChannel channel, boolean metaData) throws IOException;
    }

    private final Path dir;
    private final FileChannel channel;
    private final Disk disk;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final int maxEntries;
    private final Reads reads;
    private int entries;
    /**
     * The size to cut the file back to before it takes anything more (an append that failed and could not be cut:
     * its line, answered 503, is never read), or -1.
     */
    private long cutTo = -1;
    /** The ends of the lines that could not be read, each logged and kept once (until the truncation). */
    private final Set<Long> unreadable = new HashSet<>();

    private Journal(
            Path dir,
            FileChannel channel,
            Disk disk,
            FileChannel lockChannel,
            FileLock lock,
            int maxEntries,
            Reads reads)
            throws IOException {
        this.reads = reads;
        this.dir = dir;
        this.channel = channel;
        this.disk = disk;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.maxEntries = maxEntries;
        this.entries =
                (int) readFrom(0).stream().filter(r -> r instanceof Entry).count();
    }

    static Journal open(Path dir, int maxEntries) throws IOException {
        return open(dir, maxEntries, Disk.REAL);
    }

    /** {@link #open(Path, int)} whose appends reach the disk through {@code disk}. */
    static Journal open(Path dir, int maxEntries, Disk disk) throws IOException {
        return open(dir, maxEntries, disk, Reads.DEFAULT);
    }

    /** {@link #open(Path, int, Disk)} read as {@code reads} says. */
    static Journal open(Path dir, int maxEntries, Disk disk, Reads reads) throws IOException {
        Files.createDirectories(dir);
        FileChannel lockChannel =
                FileChannel.open(dir.resolve("journal.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IOException("the journal directory " + dir + " is in use by another process");
        }
        FileChannel channel = FileChannel.open(
                dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        DurableFiles.syncFolder(dir); // the file's name too is durable before its first fsynced entry answers 202
        dropTornTail(channel);
        return new Journal(dir, channel, disk, lockChannel, lock, maxEntries, reads);
    }

    Path dir() {
        return dir;
    }

    /**
     * Appends one job, its idempotency key and its submitting token's name and fsyncs; fails when the journal is full
     * or cannot be written.
     */
    void append(Job job, Optional<String> key, String submitter) throws IOException {
        if (entries >= maxEntries) {
            throw new UnwritableException("the journal holds its most jobs (" + maxEntries + ")");
        }
        write(new Entry(job, key, submitter, 0));
        entries++;
    }

    /** Appends a hand-out or a landing (not counted against the most entries) and fsyncs. */
    void append(Record record) throws IOException {
        write(record, true);
    }

    /**
     * Appends that a job is in Redis now, without an fsync: what it saves is a second run after a process crash, whose
     * write the system keeps (a power cut may lose it, and the restart then restores the job again, as before).
     */
    void restored(Journal.Entry entry) throws IOException {
        write(new Restored(entry.job().id(), 0), false);
    }

    private void write(Record record) throws IOException {
        write(record, true);
    }

    /**
     * Appends {@code record}'s line (and fsyncs it when {@code force}). An append that fails (its write or its fsync) is
     * cut from the file before it throws, so a job answered 503 is never read back and restored; while that cut
     * cannot be made, the journal takes nothing (each append tries the cut again first) and reads as ending before it.
     */
    private void write(Record record, boolean force) throws IOException {
        byte[] line = (record.toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(line);
        if (cutTo >= 0) {
            try {
                cut(cutTo);
            } catch (IOException e) {
                throw new UnwritableException(
                        "the journal cannot be written: an append it refused cannot be cut from it (" + e + ")");
            }
        }
        long start = dropTornTail(channel); // what an append that failed half-way left (answered 503) goes first
        try {
            long at = start;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            if (force) {
                disk.force(channel, false);
            }
        } catch (IOException e) {
            try {
                cut(start);
            } catch (IOException cutFailed) {
                cutTo = start;
                e.addSuppressed(cutFailed);
                LOG.error(
                        "journal {}: an append that failed ({}) cannot be cut from it ({}); it takes nothing more until"
                                + " the cut is made",
                        dir,
                        e.toString(),
                        cutFailed.toString());
            }
            throw e;
        }
    }

    /** Cuts the file back to {@code size} and makes that durable. */
    private void cut(long size) throws IOException {
        channel.truncate(size);
        disk.force(channel, true);
        cutTo = -1;
    }

    /** The file's size, short of an append that failed and could not be cut yet (see {@link #write}). */
    long size() throws IOException {
        long size = channel.size();
        return cutTo >= 0 ? Math.min(size, cutTo) : size;
    }

    /**
     * The records from {@code offset} (a previous entry's end, or 0) to the end of the file, read in chunks: a line
     * longer than {@link Reads#maxLine} (no record is) is not held, but skipped as
     * unreadable.
     */
    List<Record> readFrom(long offset) throws IOException {
        long size = size();
        List<Record> found = new ArrayList<>();
        if (size <= offset) {
            return found;
        }
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(reads.chunk(), size - offset));
        byte[] bytes = chunk.array();
        Line line = new Line(reads.maxLine());
        long at = offset;
        while (at < size) {
            chunk.clear();
            chunk.limit((int) Math.min(chunk.capacity(), size - at));
            int read = channel.read(chunk, at);
            if (read <= 0) {
                break;
            }
            int start = 0;
            for (int i = 0; i < read; i++) {
                if (bytes[i] == '\n') {
                    line.add(bytes, start, i - start);
                    long end = at + i + 1;
                    if (line.tooLong()) {
                        unreadable(line.length, end);
                    } else {
                        String text = line.text();
                        Optional<Record> record = parse(text, end);
                        if (record.isPresent()) {
                            found.add(record.get());
                        } else {
                            unreadable(text, end);
                        }
                    }
                    line = new Line(reads.maxLine());
                    start = i + 1;
                }
            }
            line.add(bytes, start, read - start);
            at += read;
        }
        return found; // a line without its newline is torn (never answered) and stays unread
    }

    /** The bytes of the line being read: held up to {@code max}, counted past it. */
    private static final class Line {
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        private final long max;
        private long length;

        Line(long max) {
            this.max = max;
        }

        void add(byte[] bytes, int from, int count) {
            if (length + count <= max) {
                held.write(bytes, from, count);
            }
            length += count;
        }

        boolean tooLong() {
            return length > max;
        }

        String text() {
            return held.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether records past {@code offset} remain to be read. Bytes there that cannot be read count as none, so a drain
     * can end: lines that do not parse (kept in {@link #REJECTED} as they are read) and a torn last line (an append
     * that failed half-way, answered 503, with none after it to cut it); they go with the truncation, logged.
     */
    boolean holdsFrom(long offset) throws IOException {
        long size = size();
        if (size <= offset || !readFrom(offset).isEmpty()) {
            return size > offset;
        }
        LOG.warn(
                "journal {}: its last {} byte(s) cannot be read (a torn append, answered 503, or lines kept in {});"
                        + " they go with the truncation",
                dir,
                size - offset,
                REJECTED);
        return false;
    }

    /**
     * Empties the journal (every entry is in Redis now), after keeping each KB's last local fencing token in the
     * fences file (written whole, fsynced and moved into place).
     */
    void truncate(Map<KbId, Long> fences) throws IOException {
        JsonObject kept = new JsonObject();
        fences.forEach((kb, token) -> kept.put(kb.value(), token));
        DurableFiles.replace(dir.resolve(FENCES), kept.encode());
        channel.truncate(0);
        disk.force(channel, true);
        cutTo = -1;
        entries = 0;
        unreadable.clear();
    }

    /** Each KB's last local fencing token kept by the last truncation (none before the first). */
    Map<KbId, Long> fences() throws IOException {
        Path file = dir.resolve(FENCES);
        Map<KbId, Long> fences = new HashMap<>();
        if (Files.exists(file)) {
            JsonObject kept = new JsonObject(Files.readString(file));
            kept.fieldNames().forEach(kb -> fences.put(KbId.of(kb), kept.getLong(kb)));
        }
        return fences;
    }

    /** Keeps an entry Redis refused for good next to the journal, for the operator. */
    void reject(Entry entry, String reason) throws IOException {
        Files.writeString(
                dir.resolve(REJECTED),
                entry.toJson().put("reason", reason).encode() + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
    }

    /**
     * A complete line that cannot be read (written by another version, or damaged): logged and kept in
     * {@link #REJECTED} once, for the operator (it may be a job answered 202); the journal reads on past it.
     */
    private void unreadable(String line, long end) {
        if (!unreadable.add(end)) {
            return;
        }
        LOG.error(
                "journal {}: the line ending at byte {} cannot be read; skipped and kept in {}: {}",
                dir,
                end,
                dir.resolve(REJECTED),
                line);
        keepRejected(new JsonObject().put("unreadable", line).put("reason", "a journal line that cannot be read"));
    }

    /** A line longer than {@link Reads#maxLine}: logged and noted in {@link #REJECTED} by its end and length. */
    private void unreadable(long length, long end) {
        if (!unreadable.add(end)) {
            return;
        }
        LOG.error(
                "journal {}: the line ending at byte {} is {} bytes long, longer than any record; skipped and noted in"
                        + " {}",
                dir,
                end,
                length,
                dir.resolve(REJECTED));
        keepRejected(new JsonObject()
                .put("unreadableAt", end)
                .put("length", length)
                .put("reason", "a journal line longer than any record"));
    }

    private void keepRejected(JsonObject note) {
        try {
            Files.writeString(
                    dir.resolve(REJECTED),
                    note.encode() + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        } catch (IOException e) { // logged above: the journal still reads on
            LOG.warn("journal {}: an unreadable line could not be noted in {} ({})", dir, REJECTED, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        try (lockChannel) {
            lock.release();
            channel.close();
        }
    }

    /**
     * Cuts a last line without its newline (an append a crash or a full disk interrupted, never answered) so appends
     * start clean; returns the size kept.
     */
    private static long dropTornTail(FileChannel channel) throws IOException {
        long size = channel.size();
        long keep = size;
        ByteBuffer one = ByteBuffer.allocate(1);
        while (keep > 0) {
            one.clear();
            channel.read(one, keep - 1);
            if (one.get(0) == '\n') {
                break;
            }
            keep--;
        }
        if (keep < size) {
            channel.truncate(keep);
            channel.force(true);
        }
        return keep;
    }

    private static Optional<Record> parse(String line, long end) {
        try {
            JsonObject json = new JsonObject(line);
            if (json.containsKey("handed")) {
                return Optional.of(new Handed(
                        json.getString("handed"), KbId.of(json.getString("kb")), json.getLong("token"), end));
            }
            if (json.containsKey("restored")) {
                return Optional.of(new Restored(json.getString("restored"), end));
            }
            if (json.containsKey("landed")) {
                return Optional.of(new Landed(
                        json.getString("landed"), json.getLong("token"), done(json.getJsonObject("outcome")), end));
            }
            return Optional.of(new Entry(
                    Job.fromJson(json.getJsonObject("job")),
                    Optional.ofNullable(json.getString("key")),
                    json.getString("submitter"), // absent from entries written before it was kept: ''
                    end));
        } catch (RuntimeException e) {
            return Optional.empty(); // a line that cannot be read: see #unreadable
        }
    }

    private static JobOutcome.Done done(JsonObject json) {
        JsonArray files = json.getJsonArray("files", new JsonArray());
        return new JobOutcome.Done(
                json.getString("leaseId"),
                json.getString("commit"),
                json.getString("commitUrl"),
                files.stream().map(f -> FileChange.fromJson((JsonObject) f)).toList(),
                json.getInteger("pushRejections", 0),
                json.getString("result"));
    }
}
