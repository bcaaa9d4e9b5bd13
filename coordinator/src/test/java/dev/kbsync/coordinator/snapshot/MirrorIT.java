package dev.kbsync.coordinator.snapshot;

import static dev.kbsync.testing.BareRemotes.pushCommit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.BareRemotes;
import dev.kbsync.testing.GitSshServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportProtocol;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read mirror fetches the KB's branch whatever the remote's HEAD names, and never with the host's own SSH keys. */
class MirrorIT {
    @TempDir
    Path tmp;

    private final ExecutorService fetches = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        fetches.shutdownNow();
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master"); // then only main pushed
        String main = pushCommit(remote, "main", "# main\n");
        assertThat(snapshotOf(remote, "main")).isEqualTo(main);
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadNamesAnother() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        pushCommit(remote, "master", "# master\n");
        String notes = pushCommit(remote, "notes", "# notes\n");
        assertThat(snapshotOf(remote, "notes")).isEqualTo(notes);
    }

    /**
     * The launcher bundles JGit's SSH transport (so does this test's class path), whose default session factory
     * offers the user's {@code ~/.ssh} keys and trusts its {@code known_hosts}. A KB registered with an SSH remote the
     * coordinator host's key may read must not be readable through the mirror: it never opens an SSH session.
     */
    @Test
    void shouldNeverFetchAnSshRemoteWithTheCoordinatorUsersOwnKeys() throws Exception {
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        Path remote = BareRemotes.init(remotes.resolve("private.git"), "main");
        pushCommit(remote, "main", "# private\n");
        KeyPair userKey = rsa();
        Path home = Files.createDirectories(tmp.resolve("home/.ssh")).getParent();
        Files.writeString(
                home.resolve(".ssh/id_rsa"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(userKey.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        File userHome = FS.DETECTED.userHome();
        try (GitSshServer server = new GitSshServer(remotes, rsa(), userKey.getPublic())) {
            Files.writeString(home.resolve(".ssh/known_hosts"), server.knownHostsLine() + "\n");
            FS.DETECTED.setUserHome(home.toFile());
            KbConfig kb = new KbConfig(KbId.of("notes"), server.url("private.git"), "main");
            try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), fetches, new FetchAuth(List.of()))) {
                mirror.refresh().join();

                assertThat(server.attempts()).as("keys offered").isEmpty();
                assertThat(server.connections()).as("SSH sessions").isEmpty();
                assertThat(mirror.current()).isEmpty();
                assertThat(mirror.lastFailure()).contains("SSH");
            }
        } finally {
            FS.DETECTED.setUserHome(userHome);
        }
    }

    /**
     * A fetch that ends in an {@link Error} (a JGit bug's assertion, a stack overflow on a deep history) is a failed
     * fetch like any other: the read that waits for it is answered, the failure is named, and the next fetch runs.
     * Before, the mirror's fetch stayed "under way" forever: every later read waited in vain, the timer never fetched.
     */
    @Test
    void shouldTreatAFetchEndingInAnErrorAsFailedAndFetchAgain() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "main");
        String main = pushCommit(remote, "main", "# main\n");
        AtomicBoolean broken = new AtomicBoolean(true);
        TransportProtocol protocol = new TransportProtocol() {
            @Override
            public String getName() {
                return "broken for a test";
            }

            @Override
            public Set<String> getSchemes() {
                return Set.of("kbsync-broken");
            }

            @Override
            public boolean canHandle(URIish uri, Repository local, String remoteName) {
                return "kbsync-broken".equals(uri.getScheme());
            }

            @Override
            public Transport open(URIish uri, Repository local, String remoteName)
                    throws NotSupportedException, TransportException {
                if (broken.get()) {
                    throw new StackOverflowError("deep history");
                }
                return Transport.open(local, new URIish().setPath(remote.toString()));
            }
        };
        Transport.register(protocol);
        KbConfig kb = new KbConfig(KbId.of("notes"), "kbsync-broken://host" + remote, "main");
        try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), fetches, new FetchAuth(List.of()))) {
            mirror.refresh().get(10, TimeUnit.SECONDS);
            assertThat(mirror.lastFailure()).contains("StackOverflowError");
            assertThat(mirror.current()).isEmpty();

            broken.set(false);
            mirror.refresh().get(10, TimeUnit.SECONDS);
            assertThat(mirror.lastFailure()).isNull();
            assertThat(mirror.current().orElseThrow().commit().name()).isEqualTo(main);
        } finally {
            Transport.unregister(protocol);
        }
    }

    /**
     * A fetch that will never run (the fetch threads were shut down when the coordinator stopped) must not leave the
     * reads that wait for it waiting: the mirror's close ends them, and a refresh asked after the threads refused it
     * or after the close is answered at once. Before, such a fetch stayed "under way" and its waiters were answered
     * only by their requests' bound.
     */
    @Test
    void shouldEndTheWaitForAFetchThatNeverRunsWhenTheMirrorCloses() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "main");
        pushCommit(remote, "main", "# main\n");
        KbConfig kb = new KbConfig(KbId.of("notes"), remote.toString(), "main");
        List<Runnable> dropped = new java.util.ArrayList<>();
        Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), dropped::add, new FetchAuth(List.of()));
        java.util.concurrent.CompletableFuture<Void> waiting = mirror.refresh();
        java.util.concurrent.CompletableFuture<Void> behind = mirror.refresh();
        assertThat(dropped).hasSize(1);

        mirror.close();

        assertThat(waiting).as("the fetch that never ran").succeedsWithin(java.time.Duration.ofSeconds(1));
        assertThat(behind).as("the one asked behind it").succeedsWithin(java.time.Duration.ofSeconds(1));
        assertThat(mirror.refresh()).as("a refresh after the close").isDone();
    }

    @Test
    void shouldAnswerARefreshTheFetchThreadsRefuse() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "main");
        pushCommit(remote, "main", "# main\n");
        KbConfig kb = new KbConfig(KbId.of("notes"), remote.toString(), "main");
        fetches.shutdown();
        try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), fetches, new FetchAuth(List.of()))) {
            assertThat(mirror.refresh()).as("refused: no fetch is under way").isDone();
            assertThat(mirror.dueForTimer(1, 1)).as("nor held as under way").isTrue();
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private String snapshotOf(Path remote, String branch) throws Exception {
        KbConfig kb = new KbConfig(KbId.of("notes"), remote.toString(), branch);
        try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror"), fetches, new FetchAuth(List.of()))) {
            mirror.refresh().join();
            assertThat(mirror.lastFailure()).isNull();
            return mirror.current().orElseThrow().commit().name();
        }
    }
}
