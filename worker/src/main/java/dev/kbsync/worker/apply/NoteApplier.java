package dev.kbsync.worker.apply;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.UnicodeForm;
import dev.kbsync.git.HeadTree;
import dev.kbsync.git.IgnoreRules;
import dev.kbsync.git.paths.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Writes a note as markdown with front matter (title, author, created) at the requested path (in NFC, as
 * {@link UnicodeForm}: a job submitted before the coordinator normalized it may hold another form), or where the KB's
 * {@link NotePathTemplate} puts a slug of the title (with {@code -2}, {@code -3}... until the path does not exist
 * yet, nor a path of the KB that differs from it only in case: a {@link CaseIndex} twin); commit message {@code Add: <title>}. With a note agent configured, the agent turns
 * the text into files instead (in a scratch copy, like {@link AgentApplier}).
 */
public final class NoteApplier implements Applier {
    /** The error code of a note whose explicit path changed on the same lines since it was submitted. */
    public static final String CONFLICT = "CONFLICT";

    private final Optional<AgentWorkspace> noteAgent;
    private final Clock clock;

    public NoteApplier(Optional<AgentCommand> noteAgent, Clock clock) {
        this.noteAgent = noteAgent.map(AgentWorkspace::new);
        this.clock = clock;
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb) {
        return apply(checkout, job, kb, StopSignal.never(), CaseIndex.NONE);
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb, StopSignal stop, CaseIndex names) {
        if (!(job.payload() instanceof JobPayload.Note note)) {
            throw new IllegalArgumentException("not a note job: " + job.id());
        }
        String title = NoteText.title(note);
        String message = "Add: " + title;
        if (noteAgent.isPresent()) {
            return noteAgent.get().run(checkout, note.text(), message, stop);
        }
        try {
            return write(SafePaths.of(checkout), names, job, kb.notePath(), note, title, message);
        } catch (InvalidInputException e) {
            return new ApplyResult.Refused(e.code(), e.getMessage());
        }
    }

    private ApplyResult write(
            SafePaths paths,
            CaseIndex names,
            Job job,
            NotePathTemplate template,
            JobPayload.Note note,
            String title,
            String message) {
        Instant created = job.createdAt() != null ? job.createdAt() : clock.instant();
        boolean explicit = note.path() != null && !note.path().isBlank();
        Path target = explicit
                ? paths.resolve(UnicodeForm.nfc(note.path()))
                : Slugs.freePath(paths, names, template, Slugs.slug(title), created, job.id());
        String path = relative(paths.root(), target);
        Optional<String> clash = clash(paths.root(), target);
        if (clash.isPresent()) {
            return new ApplyResult.Refused(
                    SafePaths.INVALID_PATH,
                    "'" + path + "' cannot be written: " + clash.get() + "; nothing was written");
        }
        boolean existed = Files.exists(target);
        // git would not commit a new file there, nor one that is there untracked (a leftover): the note would be lost
        Optional<String> excluded = IgnoreRules.of(paths.root()).excludedBy(paths.root(), path);
        if (excluded.isPresent() && (!existed || !HeadTree.tracked(paths.root(), path))) {
            return new ApplyResult.Refused(
                    SafePaths.INVALID_PATH,
                    "'" + path + "' is excluded by " + excluded.get() + ", so git would not commit it; write the note"
                            + " elsewhere, or change that rule; nothing was written");
        }
        String content = NoteText.markdown(title, job.user(), created, note.text());
        if (explicit) {
            Merged merged = mergeWithTheBranch(paths.root(), path, target, existed, job.createdAt(), content);
            if (merged instanceof Merged.Conflict conflict) {
                return new ApplyResult.Refused(
                        CONFLICT,
                        "'" + path + "' changed on the branch since the note was submitted, " + conflict.why()
                                + "; nothing was written");
            }
            content = ((Merged.Write) merged).content();
        }
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write note " + target, e);
        }
        FileChange.Change change = existed ? FileChange.Change.EDITED : FileChange.Change.CREATED;
        return new ApplyResult.Changed(message, List.of(new FileChange(path, change, null)));
    }

    /**
     * Why no note can be a file at {@code target} (the tree has a folder there, a file where a folder of its path
     * must be, or a submodule on its path: git cannot commit a file inside one), as this note's own refusal: an error thrown would fail every note of its group commit with it.
     */
    private static Optional<String> clash(Path root, Path target) {
        if (Files.isDirectory(target)) {
            return Optional.of("'" + relative(root, target) + "' is a folder in the KB, and a note is a file");
        }
        for (Path folder = target.getParent(); folder != null && !folder.equals(root); folder = folder.getParent()) {
            if (Files.exists(folder) && !Files.isDirectory(folder)) {
                return Optional.of("'" + relative(root, folder) + "' is a file in the KB, not a folder");
            }
        }
        return HeadTree.gitlinkOn(root, relative(root, target))
                .map(submodule -> "'" + submodule + "' is a submodule of the KB (another repository's commit), and git"
                        + " cannot commit a file inside it");
    }

    static String relative(Path root, Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    /** What an explicit path gets: the content to write, or why the note conflicts with the branch. */
    private sealed interface Merged {
        record Write(String content) implements Merged {}

        record Conflict(String why) implements Merged {}
    }

    /**
     * What to write at an explicit path: the note as it is when the file did not change on the branch since the note
     * was submitted (or that cannot be told), else the note merged with the change ({@link NoteMerge}); a conflict
     * when both changed the same lines, or the file is not UTF-8 text (Latin-1, binary: no merge is possible).
     */
    private static Merged mergeWithTheBranch(
            Path root, String path, Path target, boolean existed, Instant submitted, String note) {
        Optional<Optional<byte[]>> base = SubmittedBase.of(root, path, submitted);
        if (base.isEmpty()) {
            return new Merged.Write(note);
        }
        Optional<byte[]> now;
        try {
            now = existed ? Optional.of(Files.readAllBytes(target)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + target, e);
        }
        if (sameBytes(now, base.get())) { // compared as bytes: a file that is not UTF-8 is compared exactly too
            return new Merged.Write(note);
        }
        Optional<Optional<String>> baseText = text(base.get());
        Optional<Optional<String>> nowText = text(now);
        if (baseText.isEmpty() || nowText.isEmpty()) {
            return new Merged.Conflict("and is not UTF-8 text, so the note cannot be merged into it");
        }
        return NoteMerge.merge(baseText.get(), note, nowText.get())
                .<Merged>map(Merged.Write::new)
                .orElseGet(() -> new Merged.Conflict("on the same lines the note writes"));
    }

    private static boolean sameBytes(Optional<byte[]> a, Optional<byte[]> b) {
        return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
    }

    /** A file's text (itself empty for no file); empty when the file is not UTF-8. */
    private static Optional<Optional<String>> text(Optional<byte[]> file) {
        if (file.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        try {
            return Optional.of(Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(file.get()))
                    .toString()));
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
