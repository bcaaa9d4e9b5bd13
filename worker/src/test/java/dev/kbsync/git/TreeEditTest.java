package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A tree written path by path equals the tree of an index holding the same files, whatever the names' order. */
class TreeEditTest {
    private final InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("trees"));
    private final ObjectInserter inserter = repo.newObjectInserter();
    private final ObjectReader reader = inserter.newReader();
    private final TreeEdit edit = new TreeEdit(reader, inserter);

    @AfterEach
    void tearDown() {
        reader.close();
        inserter.close();
        repo.close();
    }

    @Test
    void shouldWriteTheTreeAnIndexWithTheSameFilesWrites() throws Exception {
        // Names that sort around a folder's name: "a" (file or folder), "a-b", "a.md", "a0", "a/..." and deeper.
        List<String> names = List.of("a", "a-b", "a.md", "a0", "b", "notes", "z", "A", "ä");
        Random random = new Random(42);
        Map<String, ObjectId> files = new TreeMap<>();
        ObjectId tree = null;
        int edits = 0;
        for (int i = 0; i < 600; i++) {
            int depth = 1 + random.nextInt(4);
            List<String> parts = new ArrayList<>();
            for (int d = 0; d < depth; d++) {
                parts.add(names.get(random.nextInt(names.size())));
            }
            String path = String.join("/", parts);
            ObjectId blob = blob("content " + random.nextInt(20));
            Optional<ObjectId> next = edit.put(tree, path, blob);
            boolean clash = files.keySet().stream().anyMatch(p -> p.startsWith(path + "/") || path.startsWith(p + "/"));
            assertThat(next.isPresent())
                    .as("%s set (a file where a folder is, or the other way round, is left to the index)", path)
                    .isEqualTo(!clash);
            if (next.isPresent()) {
                files.put(path, blob);
                tree = next.get();
                edits++;
                assertThat(tree).as("after %s", path).isEqualTo(indexTree(files));
            }
        }
        assertThat(edits).as("paths set").isGreaterThan(100);
    }

    @Test
    void shouldReplaceAFileKeepingEverythingElse() throws Exception {
        ObjectId tree = edit.put(null, "notes/ab/x.md", blob("one")).orElseThrow();
        tree = edit.put(tree, "notes/cd/y.md", blob("two")).orElseThrow();
        tree = edit.put(tree, "notes/ab/x.md", blob("three")).orElseThrow();

        assertThat(tree).isEqualTo(indexTree(Map.of("notes/ab/x.md", blob("three"), "notes/cd/y.md", blob("two"))));
        assertThat(edit.put(tree, "notes//z.md", blob("x")))
                .as("an empty path segment")
                .isEmpty();
    }

    private ObjectId blob(String text) throws Exception {
        return inserter.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8));
    }

    private ObjectId indexTree(Map<String, ObjectId> files) throws Exception {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        files.forEach((path, blob) -> {
            DirCacheEntry entry = new DirCacheEntry(path);
            entry.setFileMode(FileMode.REGULAR_FILE);
            entry.setObjectId(blob);
            builder.add(entry);
        });
        builder.finish();
        return index.writeTree(inserter);
    }
}
