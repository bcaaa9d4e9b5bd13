package dev.kbsync.worker.apply;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;

/** File names derived from note titles: lower-case ASCII words joined by dashes, collision-safe with -2, -3... */
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
        return slug.isEmpty() ? "note" : slug;
    }

    /** {@code dir/<slug>.md}, or {@code dir/<slug>-N.md} with the smallest N >= 2 that does not exist yet. */
    static String freeName(Path dir, String slug) {
        String name = slug + ".md";
        for (int n = 2; Files.exists(dir.resolve(name)); n++) {
            name = slug + "-" + n + ".md";
        }
        return name;
    }
}
