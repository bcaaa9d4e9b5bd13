package dev.kbsync.worker.apply;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.git.paths.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes a note as markdown with front matter (title, author, created) at the requested path, or where the KB's
 * {@link NotePathTemplate} puts a slug of the title (with {@code -2}, {@code -3}... until the path does not exist
 * yet); commit message {@code Add: <title>}. With a note agent configured, the agent turns
 * the text into files instead (in a scratch copy, like {@link AgentApplier}).
 */
public final class NoteApplier implements Applier {
    private final Optional<AgentWorkspace> noteAgent;
    private final Clock clock;

    public NoteApplier(Optional<AgentCommand> noteAgent, Clock clock) {
        this.noteAgent = noteAgent.map(AgentWorkspace::new);
        this.clock = clock;
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb) {
        return apply(checkout, job, kb, StopSignal.never());
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb, StopSignal stop) {
        if (!(job.payload() instanceof JobPayload.Note note)) {
            throw new IllegalArgumentException("not a note job: " + job.id());
        }
        String title = NoteText.title(note);
        String message = "Add: " + title;
        if (noteAgent.isPresent()) {
            return noteAgent.get().run(checkout, note.text(), message, stop);
        }
        try {
            return write(SafePaths.of(checkout), job, kb.notePath(), note, title, message);
        } catch (InvalidInputException e) {
            return new ApplyResult.Refused(e.code(), e.getMessage());
        }
    }

    private ApplyResult write(
            SafePaths paths, Job job, NotePathTemplate template, JobPayload.Note note, String title, String message) {
        Instant created = job.createdAt() != null ? job.createdAt() : clock.instant();
        Path target = note.path() != null && !note.path().isBlank()
                ? paths.resolve(note.path())
                : Slugs.freePath(paths, template, Slugs.slug(title), created, job.id());
        boolean existed = Files.exists(target);
        String content = NoteText.markdown(title, job.user(), created, note.text());
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(target, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write note " + target, e);
        }
        String path = paths.root().relativize(target).toString().replace('\\', '/');
        FileChange.Change change = existed ? FileChange.Change.EDITED : FileChange.Change.CREATED;
        return new ApplyResult.Changed(message, List.of(new FileChange(path, change, null)));
    }
}
