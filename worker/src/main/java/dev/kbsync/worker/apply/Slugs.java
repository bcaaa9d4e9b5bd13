package dev.kbsync.worker.apply;

import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.RelativePath;
import dev.kbsync.git.paths.SafePaths;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Locale;

/**
 * File names derived from note titles: lower-case ASCII words joined by dashes (a Windows device name gets {@code -note}),
 * collision-safe with -2, -3...
 */
final class Slugs {
    private static final int MAX = 60;

    private Slugs() {}

    static String slug(String title) {
        String ascii = Normalizer.normalize(title, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
        String slug =
                ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > MAX) {
            slug = slug.substring(0, MAX).replaceAll("-+$", "");
        }
        if (slug.isEmpty()) {
            return "note";
        }
        // "con.md" and the like are names git refuses (a Windows device name, whatever the extension)
        return RelativePath.isWindowsDevice(slug) ? slug + "-note" : slug;
    }

    /**
     * Where {@code template} puts {@code slug} for job {@code jobId}'s note created at {@code created}, or with
     * {@code slug-N} for the smallest N >= 2 whose path does not exist yet and has no twin in {@code names} (a file of
     * the KB that differs only in case); checked by the path guard.
     */
    static Path freePath(
            SafePaths paths, CaseIndex names, NotePathTemplate template, String slug, Instant created, String jobId) {
        Path path = paths.resolve(template.render(slug, created, jobId));
        for (int n = 2; taken(paths, names, path); n++) {
            path = paths.resolve(template.render(slug + "-" + n, created, jobId));
        }
        return path;
    }

    /**
     * Whether {@code path} exists or a file of the KB differs from it only in case. A twin of one of its folders is no
     * reason to move on: every {@code -N} name shares that folder.
     */
    private static boolean taken(SafePaths paths, CaseIndex names, Path path) {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        String relative = NoteApplier.relative(paths.root(), path);
        return names.twin(relative)
                .filter(twin -> twin.chars().filter(c -> c == '/').count()
                        == relative.chars().filter(c -> c == '/').count())
                .isPresent();
    }
}
