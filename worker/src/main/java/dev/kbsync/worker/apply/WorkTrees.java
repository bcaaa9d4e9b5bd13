package dev.kbsync.worker.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

/** Work-tree walks that never follow symbolic links and never enter the checkout's own {@code .git}. */
final class WorkTrees {
    private WorkTrees() {}

    /** Every file and link under {@code root} by its {@code /}-separated relative path; the top {@code .git} is left out if {@code skipGit}. */
    static Map<String, TreeEntry> entries(Path root, boolean skipGit) {
        Map<String, TreeEntry> entries = new TreeMap<>();
        walk(root, skipGit, (relative, path, attrs) -> entries.put(relative, TreeEntry.of(path, attrs)));
        return entries;
    }

    /**
     * Copies the work tree without {@code .git} into {@code target}, links as links, except a link that leads out of
     * the tree or into its {@code .git} ({@link KbLinks#leaves}): that one becomes a plain file holding the link's text,
     * as git writes a link where links cannot be made. Returns those, by relative path, with their text.
     */
    static Map<String, String> copyWithoutGit(Path source, Path target) {
        Path root = realPath(source);
        Map<String, String> flattened = new TreeMap<>();
        walk(root, true, (relative, path, attrs) -> {
            Path destination = target.resolve(relative);
            try {
                Files.createDirectories(destination.getParent());
                if (Files.isSymbolicLink(path) && KbLinks.leaves(root, path)) {
                    String text = Files.readSymbolicLink(path).toString();
                    Files.writeString(destination, text);
                    flattened.put(relative, text);
                } else {
                    Files.copy(path, destination, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not copy " + relative, e);
            }
        });
        return flattened;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("could not resolve " + path, e);
        }
    }

    /** Deletes a directory tree (links deleted, never followed); absent is fine. */
    static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    private interface Visitor {
        void visit(String relative, Path path, BasicFileAttributes attrs);
    }

    private static void walk(Path root, boolean skipGit, Visitor visitor) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    boolean topGit = skipGit
                            && dir.getParent() != null
                            && dir.getParent().equals(root)
                            && dir.getFileName().toString().equals(".git");
                    return topGit ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isDirectory()) {
                        visitor.visit(root.relativize(file).toString().replace('\\', '/'), file, attrs);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not walk " + root, e);
        }
    }
}
