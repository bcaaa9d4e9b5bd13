package dev.kbsync.worker.apply;

import dev.kbsync.api.RelativePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Where a work tree's symbolic links lead: inside the tree (outside its top {@code .git}), or out of it. A link in a KB
 * comes from whoever can push to its remote, so one that leads out must never be followed by what the worker runs.
 */
final class KbLinks {
    private KbLinks() {}

    /** Whether a link at {@code link} (under the real {@code root}) with text {@code target} leads out by its text. */
    static boolean leavesByText(Path root, Path link, String target) {
        Path text = Paths.get(target);
        return text.isAbsolute() || outside(root, link.getParent().resolve(text).normalize());
    }

    /**
     * Whether the link at {@code link} (under the real {@code root}) leads out: by its text, or where it really ends
     * through other links. A link that ends nowhere, inside by its text, does not.
     */
    static boolean leaves(Path root, Path link) {
        try {
            if (leavesByText(root, link, Files.readSymbolicLink(link).toString())) {
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the link " + link, e);
        }
        try {
            return outside(root, link.toRealPath());
        } catch (IOException endsNowhere) {
            return false;
        }
    }

    /** More links than this on one path: the OS gives up (ELOOP); so does the check, refusing the link. */
    private static final int MAX_HOPS = 40;

    /**
     * Whether the link at {@code linkPath} (relative to the KB top) with text {@code target} leads out as the OS would
     * follow it: component by component from the link's folder, each link met ({@code links}: every link of the tree
     * to judge by relative path, with its text) followed before a {@code ..} after it is taken. It leads out if it
     * climbs above the KB's top (even to come back), ends at the top itself, enters the top {@code .git}, is absolute,
     * or goes through too many links. A component that is missing, or a file, counts as a folder, as if made later.
     */
    static boolean leavesFollowing(String linkPath, String target, Map<String, String> links) {
        Deque<String> where = new ArrayDeque<>();
        String[] parts = linkPath.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            where.addLast(parts[i]);
        }
        int[] hops = {0};
        return !follow(where, target, links, hops) || where.isEmpty();
    }

    /** Walks {@code text} from {@code where} (changed in place); false if it leads out on the way. */
    private static boolean follow(Deque<String> where, String text, Map<String, String> links, int[] hops) {
        if (text.startsWith("/") || Paths.get(text).isAbsolute()) {
            return false;
        }
        for (String part : text.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (where.isEmpty()) {
                    return false;
                }
                where.removeLast();
                continue;
            }
            if (where.isEmpty() && RelativePath.isGitName(part)) {
                return false;
            }
            where.addLast(part);
            String link = links.get(String.join("/", where));
            if (link != null) {
                if (++hops[0] > MAX_HOPS) {
                    return false;
                }
                where.removeLast();
                if (!follow(where, link, links, hops)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code path} (absolute, normalized) is not strictly inside {@code root}, or is in its top .git. */
    static boolean outside(Path root, Path path) {
        return !path.startsWith(root)
                || path.equals(root)
                || RelativePath.isGitName(root.relativize(path).getName(0).toString());
    }
}
