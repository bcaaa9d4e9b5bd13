package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.testing.GitSshServer;
import dev.kbsync.worker.fixture.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSH remotes with a per-KB key file and known_hosts, against a local SSH git server (Apache MINA SSHD). */
class SshRemoteIT {
    @TempDir
    Path tmp;

    private final KeyPair client = TestKeys.rsa();
    private GitSshServer server;
    private Path key;
    private Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        dev.kbsync.worker.fixture.GitFixture.bareRemote(tmp.resolve("remotes/kb.git"));
        server = new GitSshServer(tmp.resolve("remotes"), TestKeys.rsa(), client.getPublic());
        key = TestKeys.writePkcs8(client, tmp.resolve("secrets/id_kb"));
        knownHosts = Files.writeString(tmp.resolve("secrets/known_hosts"), server.knownHostsLine() + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void shouldCloneCommitAndPushWithTheKbsKeyAndAKnownHostKey() throws Exception {
        GitAuth auth = GitAuth.fixed(new SshIdentity(key, Optional.of(knownHosts), true));
        try (KbRepository repo = KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth)) {
            Files.writeString(repo.workTree().resolve("a.md"), "a");
            repo.commit("a", new Author("ada", "ada@kbsync"), Map.of());
            assertThat(repo.push()).isInstanceOf(PushResult.Pushed.class);
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
        assertThat(dev.kbsync.worker.fixture.GitFixture.history(tmp.resolve("remotes/kb.git")))
                .hasSize(2);
        assertThat(Files.readString(tmp.resolve("work/.git/config"))).doesNotContain("id_kb");
    }

    @Test
    void shouldRefuseAnUnknownHostKeyBeforeOfferingTheKey() throws Exception {
        Files.writeString(knownHosts, server.knownHostsLine().replaceFirst(" .*", " ") + otherHostKey() + "\n");
        GitAuth auth = GitAuth.fixed(new SshIdentity(key, Optional.of(knownHosts), true));

        assertThatThrownBy(() -> KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth))
                .isInstanceOf(HostKeyRejectedException.class)
                .hasMessageContaining("Server key did not validate. The SSH server's host key is not in the KB's"
                        + " known_hosts file");
        assertThat(server.attempts()).isEmpty();
        Files.writeString(knownHosts, "");
        assertThatThrownBy(() -> KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth))
                .hasMessageContaining("host key");
    }

    @Test
    void shouldAcceptAnyHostKeyWithStrictCheckingOffAndRecordNothing() throws Exception {
        Files.writeString(knownHosts, "");
        GitAuth auth = GitAuth.fixed(new SshIdentity(key, Optional.of(knownHosts), false));
        try (KbRepository repo = KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth)) {
            assertThat(repo.head()).isPresent();
        }
        assertThat(Files.readString(knownHosts)).isEmpty();
    }

    @Test
    void shouldReadAReplacedKeyFileAtTheNextConnection() throws Exception {
        TestKeys.writePkcs8(TestKeys.rsa(), key);
        GitAuth auth = GitAuth.fixed(new SshIdentity(key, Optional.of(knownHosts), true));
        assertThatThrownBy(() -> KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth))
                .isInstanceOf(GitNetworkException.class);

        TestKeys.writePkcs8(client, key);
        try (KbRepository repo = KbRepository.cloneOrOpen(server.url("kb.git"), "main", tmp.resolve("work"), auth)) {
            assertThat(repo.head()).isPresent();
        }
        assertThat(server.attempts().stream().distinct()).hasSize(2);
    }

    private static String otherHostKey() {
        return org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
                TestKeys.rsa().getPublic());
    }
}
