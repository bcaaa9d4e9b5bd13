package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.BRANCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.credentials.CredentialSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain {@code http://} remote never gets a token or password, which would cross the network in clear text: not the
 * worker's default tokens (they are for HTTPS remotes), not a KB's credential reference (a registration from before
 * the coordinator refused them), not one written into the URL. A loopback server that answers every request 401 and
 * records each Authorization header stands in for the remote: it must record none.
 */
class PlainHttpRemoteIT {
    private static final String CANARY = "glpat_plain-http-canary-42";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void shouldNotOfferTheWorkersDefaultTokensToAPlainHttpRemote() throws Exception {
        Map<String, String> env = Map.of("KBSYNC_GIT_TOKEN", CANARY, "GITHUB_TOKEN", CANARY, "GITLAB_TOKEN", CANARY);
        try (UnauthorizedServer server = UnauthorizedServer.plainHttp()) {
            GitAuth defaults = new CredentialResolver(CredentialSettings.unrestricted(), env, Clock.systemUTC())
                    .forKb(new KbConfig(KbId.of("plain"), server.url(), BRANCH));

            Throwable clone = catchThrowable(
                    () -> KbRepository.cloneOrOpen(server.url(), BRANCH, tmp.resolve("clone"), defaults));

            assertThat(server.authorizations()).isEmpty();
            assertThat(clone).isInstanceOf(GitException.class);
            assertThat(defaults.current()).isEmpty();
        }
    }

    @Test
    void shouldRefuseToSendAKbsOwnCredentialToAPlainHttpRemote() throws Exception {
        try (UnauthorizedServer server = UnauthorizedServer.plainHttp()) {
            GitAuth reference = new CredentialResolver(
                            CredentialSettings.unrestricted(), Map.of("TEAM_TOKEN", CANARY), Clock.systemUTC())
                    .forKb(new KbConfig(KbId.of("plain"), server.url(), BRANCH)
                            .withCredentials(new CredentialRef.Env("TEAM_TOKEN", null)));
            String embedded = server.url().replace("http://", "http://ada:" + CANARY + "@");

            List<Throwable> refusals = List.of(
                    catchThrowable(() -> KbRepository.cloneOrOpen(server.url(), BRANCH, tmp.resolve("a"), reference)),
                    catchThrowable(() -> KbRepository.cloneOrOpen(embedded, BRANCH, tmp.resolve("b"), GitAuth.NONE)),
                    catchThrowable(() -> {
                        try (KbRepository repo =
                                GitFixture.localWithOrigin(tmp.resolve("c"), server.url(), reference)) {
                            repo.pull();
                        }
                    }));
            RemoteProbe.Result probe = RemoteProbe.branch(server.url(), BRANCH, reference, TIMEOUT);

            assertThat(server.authorizations()).isEmpty();
            assertThat(refusals)
                    .allSatisfy(refusal -> assertThat(refusal)
                            .isInstanceOf(CredentialsUnavailableException.class)
                            .hasMessageContaining("plain http://")
                            .hasMessageNotContaining(CANARY));
            assertThat(probe)
                    .isInstanceOfSatisfying(
                            RemoteProbe.Failed.class,
                            f -> assertThat(f.message())
                                    .contains("plain http://")
                                    .doesNotContain(CANARY));
        }
    }
}
