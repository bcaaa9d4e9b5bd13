package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the case-twin check ({@link KbRepository#caseTwin}) adds per note, run on demand ({@code -Dtest=CaseTwinBench}):
 * a KB with 100,000 files in one folder and one with 50 ({@code -Dkbsync.caseBench.files=...}: other sizes). Each of
 * 5 runs opens the checkout afresh and times the first lookup (the one walk of HEAD's tree), then 200 notes into the
 * folder, each committed ({@link KbRepository#commitPaths}, which moves the index along) and looked up; then, after
 * a push, another writer's note on the remote and the lookup after the sync that brought it (its fast-forward moved
 * the index); then a commit made behind the repository's back and the lookup that catches up by the diff of the two
 * trees. Anchor: listing the folder, as the first attempt did per note.
 */
class CaseTwinBench {
    private static final Logger log = LoggerFactory.getLogger(CaseTwinBench.class);
    private static final int RUNS = 5;
    private static final int NOTES = 200;

    @TempDir
    Path tmp;

    @Test
    void shouldMeasureTheCaseCheckPerNote() throws Exception {
        for (String size :
                System.getProperty("kbsync.caseBench.files", "50,100000").split(",")) {
            measure(Integer.parseInt(size.strip()));
        }
    }

    private void measure(int files) throws Exception {
        Path bare = tmp.resolve("kb-" + files + ".git");
        String remote = seed(bare, files);
        Path work = tmp.resolve("work-" + files);
        KbRepository.cloneOrOpen(remote, "main", work, GitAuth.NONE).close();
        List<Double> builds = new ArrayList<>();
        List<Double> lookups = new ArrayList<>();
        List<Double> syncs = new ArrayList<>();
        List<Double> catchUps = new ArrayList<>();
        List<Double> listings = new ArrayList<>();
        int n = 0;
        for (int run = 0; run < RUNS; run++) {
            try (KbRepository repo = KbRepository.open(work, "main", GitAuth.NONE)) {
                builds.add(
                        millis(() -> time(() -> repo.caseTwin("notes/Seed-0.md").isPresent())));
                List<Double> perNote = new ArrayList<>();
                for (int i = 0; i < NOTES; i++, n++) {
                    String path = "notes/bench-" + n + ".md";
                    Files.writeString(work.resolve(path), "# Note " + n + "\n");
                    repo.commitPaths(List.of(path), "Add: " + n, new Author("bench", "b@kbsync"), Map.of());
                    String next = "notes/Bench-" + n + ".md";
                    perNote.add(millis(() -> time(() -> repo.caseTwin(next).isPresent())));
                }
                lookups.add(median(perNote.subList(NOTES / 2, NOTES)));
                assertThat(repo.push()).isInstanceOf(PushResult.Pushed.class);
                CleanMark mark = repo.markClean().orElseThrow();
                pushByAnotherWriter(bare, "notes/pushed-" + run + ".md");
                repo.resetToRemote(mark, true);
                String pushed = "notes/PUSHED-" + run + ".md";
                syncs.add(millis(() -> time(() -> repo.caseTwin(pushed).isPresent())));
                commitBehindItsBack(work, "notes/other-" + run + ".md");
                catchUps.add(millis(() -> time(() -> repo.caseTwin("notes/x.md").isPresent())));
                assertThat(repo.caseTwin("notes/OTHER-" + run + ".md")).isPresent();
                listings.add(millis(() -> time(() -> list(work.resolve("notes")))));
            }
        }
        log.info(
                "case twins, {} files in one folder ({} runs, median [min-max]): first lookup (walk of the tree) {} ms;"
                        + " per note (lookup after its commit, median of the last {} of {}) {} ms; lookup after a sync"
                        + " that brought another writer's note {} ms; catch-up after a commit behind its back (diff of"
                        + " the trees) {} ms; anchor, listing the folder {} ms",
                files,
                RUNS,
                summary(builds),
                NOTES / 2,
                NOTES,
                summary(lookups),
                summary(syncs),
                summary(catchUps),
                summary(listings));
    }

    private static boolean list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.anyMatch(p -> p.getFileName().toString().equalsIgnoreCase("NOPE.md"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private interface Check {
        boolean run();
    }

    private static long time(Check check) {
        long start = System.nanoTime();
        check.run();
        return System.nanoTime() - start;
    }

    private static double millis(LongSupplier nanos) {
        return nanos.getAsLong() / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static String summary(List<Double> values) {
        return String.format("%.4f [%.4f-%.4f]", median(values), Collections.min(values), Collections.max(values));
    }

    private static void commitBehindItsBack(Path work, String path) throws Exception {
        Files.writeString(work.resolve(path), "elsewhere\n");
        try (Git git = Git.open(work.toFile())) {
            git.add().addFilepattern(path).call();
            git.commit()
                    .setMessage("Direct: " + path)
                    .setAuthor("other", "o@kbsync")
                    .call();
        }
    }

    /** Another writer's commit of one new file on the remote's main, made in place (no clone of the big tree). */
    private static void pushByAnotherWriter(Path bare, String path) throws Exception {
        try (Git git = Git.open(bare.toFile());
                Repository repo = git.getRepository();
                ObjectInserter inserter = repo.newObjectInserter();
                ObjectReader reader = repo.newObjectReader();
                RevWalk revs = new RevWalk(repo)) {
            ObjectId parent = repo.resolve("refs/heads/main");
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, "elsewhere\n".getBytes());
            ObjectId tree = new TreeEdit(reader, inserter)
                    .put(revs.parseCommit(parent).getTree(), path, blob)
                    .orElseThrow();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(tree);
            commit.setParentId(parent);
            PersonIdent ident = new PersonIdent("other", "o@kbsync");
            commit.setAuthor(ident);
            commit.setCommitter(ident);
            commit.setMessage("Direct: " + path);
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef("refs/heads/main");
            update.setExpectedOldObjectId(parent);
            update.setNewObjectId(id);
            assertThat(update.update()).isEqualTo(RefUpdate.Result.FAST_FORWARD);
        }
    }

    /** A bare remote whose one commit holds {@code files} notes in {@code notes/} (one blob shared by all). */
    private static String seed(Path bare, int files) throws Exception {
        try (Git git = Git.init()
                .setBare(true)
                .setInitialBranch("main")
                .setDirectory(bare.toFile())
                .call()) {
            Repository repo = git.getRepository();
            try (ObjectInserter inserter = repo.newObjectInserter()) {
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, "# Seed\n".getBytes());
                DirCache index = DirCache.newInCore();
                DirCacheBuilder builder = index.builder();
                List<String> paths = new ArrayList<>();
                for (int i = 0; i < files; i++) {
                    paths.add("notes/seed-" + i + ".md");
                }
                Collections.sort(paths);
                for (String path : paths) {
                    DirCacheEntry entry = new DirCacheEntry(path);
                    entry.setFileMode(FileMode.REGULAR_FILE);
                    entry.setObjectId(blob);
                    builder.add(entry);
                }
                builder.finish();
                CommitBuilder commit = new CommitBuilder();
                commit.setTreeId(index.writeTree(inserter));
                PersonIdent ident = new PersonIdent("seed", "seed@kbsync");
                commit.setAuthor(ident);
                commit.setCommitter(ident);
                commit.setMessage("Seed " + files + " notes");
                ObjectId id = inserter.insert(commit);
                inserter.flush();
                RefUpdate update = repo.updateRef("refs/heads/main");
                update.setNewObjectId(id);
                update.update();
            }
        }
        return bare.toUri().toString();
    }
}
