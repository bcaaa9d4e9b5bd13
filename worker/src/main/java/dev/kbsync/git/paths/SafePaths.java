package dev.kbsync.git.paths;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.RelativePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Resolves KB-relative paths from clients to real paths inside the KB work tree, outside {@code .git}. */
public final class SafePaths {
    /** Error code of every rejection. */
    public static final String INVALID_PATH = RelativePath.INVALID_PATH;

    private final Path root;

    private SafePaths(Path root) {
        this.root = root;
    }

    /** A resolver for the KB whose work tree is {@code kbRoot} (must exist). */
    public static SafePaths of(Path kbRoot) {
        try {
            return new SafePaths(kbRoot.toRealPath());
        } catch (IOException e) {
            throw new IllegalArgumentException("KB root does not exist: " + kbRoot, e);
        }
    }

    /**
     * The real path of {@code relative} inside the KB, or {@link InvalidInputException} with code INVALID_PATH: also
     * when it leads, through links, into a {@code .git} or to {@code .gitattributes} or {@code .gitmodules}.
     */
    public Path resolve(String relative) {
        PathSyntax.check(relative);
        Path candidate = root.resolve(relative);
        Path existing = nearestExisting(candidate);
        Path real = realPath(existing, relative);
        Path resolved = real.resolve(existing.relativize(candidate).toString());
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw reject(relative, "resolves outside the knowledge base");
        }
        if (isGitDir(root.relativize(resolved).getName(0))) {
            throw reject(relative, "resolves into the .git directory");
        }
        // the reserved names hold where the path leads through the KB's links, not only for its text
        for (Path segment : root.relativize(resolved)) {
            if (isGitDir(segment)) {
                throw reject(relative, "resolves into a .git directory");
            }
            if (RelativePath.isGitConfigFile(segment.toString())) {
                throw reject(
                        relative,
                        "resolves to a file git reads as configuration of every clone ('" + segment
                                + "'): kbsync does not create or change it");
            }
        }
        return resolved;
    }

    /** The KB root this resolver guards (real path). */
    public Path root() {
        return root;
    }

    private Path nearestExisting(Path candidate) {
        Path p = candidate;
        while (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            p = p.getParent();
        }
        return p;
    }

    private Path realPath(Path existing, String relative) {
        try {
            return existing.toRealPath();
        } catch (IOException e) {
            throw reject(relative, "goes through a broken symbolic link");
        }
    }

    static boolean isGitDir(Path segment) {
        return RelativePath.isGitName(segment.toString());
    }

    private static InvalidInputException reject(String path, String reason) {
        return RelativePath.reject(path, reason);
    }
}
