package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.BRANCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpsServer;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.LoopbackTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's generic token ({@code KBSYNC_GIT_TOKEN}) goes only to the hosts in {@code credentials.gitTokenHosts}.
 * One HTTPS git server on loopback, which records every password presented, is reached under a listed name
 * ({@code 127.0.0.1:<port>}) and under names that are not listed ({@code localhost:<port>}, or {@code 127.0.0.1}
 * listed without the port): a KB registered without a credential reference, as anyone allowed to register one could
 * point at a host of theirs, must never make the worker show it the canary, through clone, fetch, push or the
 * doctor's probe.
 */
class TokenHostsIT {
    private static final String CANARY = "generic-canary-7c1e93";
    private static final Map<String, String> ENV = Map.of("KBSYNC_GIT_TOKEN", CANARY);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private GitHttpServer server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        dev.kbsync.worker.fixture.GitFixture.bareRemote(remotes.resolve("kb.git"));
        server = new GitHttpServer(remotes, CANARY::equals);
        port = Integer.parseInt(server.url("kb.git").replaceAll(".*:(\\d+)/.*", "$1"));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void shouldShowTheGenericTokenToAListedHostAndNeverToAnUnlistedOne() throws Exception {
        GitAuth listed = defaults("127.0.0.1:" + port, "https://127.0.0.1:" + port + "/kb.git");
        try (KbRepository repo = KbRepository.cloneOrOpen(
                "https://127.0.0.1:" + port + "/kb.git", BRANCH, tmp.resolve("listed"), listed)) {
            GitFixture.commitAndPush(repo, "a.md", "a");
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
        assertThat(server.passwords()).isNotEmpty().containsOnly(CANARY);
        server.passwords().clear();

        for (String unlisted :
                List.of("https://localhost:" + port + "/kb.git", "https://127.0.0.1:" + port + "/kb.git")) {
            String hosts = unlisted.contains("localhost") ? "127.0.0.1:" + port + ", *.example.com" : "127.0.0.1";
            GitAuth auth = defaults(hosts, unlisted);
            Throwable clone = catchThrowable(
                    () -> KbRepository.cloneOrOpen(unlisted, BRANCH, tmp.resolve("unlisted-" + hosts.length()), auth));
            RemoteProbe.Result probe = RemoteProbe.branch(unlisted, BRANCH, auth, TIMEOUT);

            assertThat(server.passwords()).as(unlisted).isEmpty();
            assertThat(clone)
                    .as(unlisted)
                    .isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("no credential for " + unlisted.replaceAll("https://(.*)/kb.git", "$1"))
                    .hasMessageContaining("credentials.gitTokenHosts")
                    .hasMessageNotContaining(CANARY);
            assertThat(probe)
                    .isInstanceOfSatisfying(
                            RemoteProbe.Failed.class,
                            f -> assertThat(f.message())
                                    .contains("credentials.gitTokenHosts")
                                    .doesNotContain(CANARY));
        }
    }

    @Test
    void shouldFetchAPublicRepositoryFromAnUnlistedHostAndRefuseItsPushUnsent() throws Exception {
        server.anonymousReads(true);
        String unlisted = "https://localhost:" + port + "/kb.git";
        GitAuth auth = defaults("git.example.com", unlisted);

        try (KbRepository repo = KbRepository.cloneOrOpen(unlisted, BRANCH, tmp.resolve("public"), auth)) {
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            GitFixture.write(repo, "b.md", "b");
            repo.commit("Add: b.md", GitFixture.AUTHOR, Map.of());
            Throwable push = catchThrowable(repo::push);

            assertThat(push)
                    .isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("credentials.gitTokenHosts")
                    .hasMessageNotContaining(CANARY);
        }
        assertThat(server.passwords()).isEmpty();
    }

    @Test
    void shouldShowItToAnyHttpsHostWhenNoHostsAreNamedAsBefore() throws Exception {
        String any = "https://localhost:" + port + "/kb.git";
        GitAuth auth = new CredentialResolver(CredentialSettings.unrestricted(), ENV, Clock.systemUTC())
                .forKb(new KbConfig(KbId.of("any"), any, BRANCH));

        assertThat(RemoteProbe.branch(any, BRANCH, auth, TIMEOUT)).isInstanceOf(RemoteProbe.Found.class);
        assertThat(server.passwords()).contains(CANARY);
    }

    /**
     * A listed host that redirects the clone to another host (or port) must not take the token along: JGit follows a
     * redirect to any https:// URL and asks the credentials provider again when the new host answers 401. The listed
     * host redirects either at once or only once it was shown the token (a 401 first).
     */
    @Test
    void shouldNeverShowTheTokenToTheHostAListedHostRedirectsTo() throws Exception {
        for (boolean afterAuth : List.of(false, true)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            HttpsServer redirector = LoopbackTls.server();
            redirector.createContext("/", exchange -> {
                try (exchange) {
                    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                    seen.add(String.valueOf(authorization));
                    if (afterAuth && authorization == null) {
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"git\"");
                        exchange.sendResponseHeaders(401, -1);
                        return;
                    }
                    exchange.getResponseHeaders()
                            .set("Location", "https://localhost:" + port + exchange.getRequestURI());
                    exchange.sendResponseHeaders(302, -1);
                }
            });
            redirector.start();
            try {
                String listed = "https://127.0.0.1:" + redirector.getAddress().getPort() + "/kb.git";
                GitAuth auth = defaults("127.0.0.1:" + redirector.getAddress().getPort(), listed);

                Throwable clone = catchThrowable(
                        () -> KbRepository.cloneOrOpen(listed, BRANCH, tmp.resolve("redirected-" + afterAuth), auth));

                assertThat(seen).as("the redirecting host was asked").isNotEmpty();
                assertThat(server.passwords()).as("after auth: " + afterAuth).isEmpty();
                assertThat(clone).as("after auth: " + afterAuth).isNotNull();
                assertThat(String.valueOf(clone.getMessage())).doesNotContain(CANARY);
            } finally {
                redirector.stop(0);
            }
        }
    }

    /** The credential a worker whose {@code credentials.gitTokenHosts} is {@code hosts} gives a KB at {@code remote}. */
    private GitAuth defaults(String hosts, String remote) {
        CredentialSettings settings = new CredentialSettings(
                Optional.empty(), List.of(tmp), "", Optional.of(TokenHosts.parse(List.of(hosts.split(",\\s*")))));
        return new CredentialResolver(settings, ENV, Clock.systemUTC())
                .forKb(new KbConfig(KbId.of("kb"), remote, BRANCH));
    }
}
