package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What JGit really throws for a remote that is down for now (HTTP 5xx, 408, 429, a refused connection) is a
 * {@link RemoteUnavailableException}, on a pull and on a push, so that a job waits it out; a remote that answers that
 * the repository is not there, or that the caller may not have it (401, 403, 404), is not: waiting would not help.
 */
class RemoteUnavailableIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 408, 429})
    void shouldTakeAServerThatCannotAnswerNowForAnUnavailableRemote(int status) throws Exception {
        try (UnauthorizedServer server = UnauthorizedServer.answering(status)) {
            assertThat(pullAndPush(server.url()))
                    .allSatisfy(failure -> assertThat(failure)
                            .as("HTTP %d", status)
                            .isInstanceOf(RemoteUnavailableException.class)
                            .hasMessageContaining(Integer.toString(status)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403, 404})
    void shouldNotTakeARefusalOrAMissingRepositoryForOne(int status) throws Exception {
        // a push refused for its credential is an AuthFailed result, not an exception: null is fine here
        try (UnauthorizedServer server = UnauthorizedServer.answering(status)) {
            assertThat(pullAndPush(server.url()))
                    .filteredOn(java.util.Objects::nonNull)
                    .isNotEmpty()
                    .allSatisfy(failure -> assertThat(failure)
                            .as("HTTP %d", status)
                            .isNotInstanceOf(RemoteUnavailableException.class));
        }
    }

    @Test
    void shouldTakeARefusedConnectionForAnUnavailableRemote() throws Exception {
        String url = "http://127.0.0.1:" + UnauthorizedServer.closedPort() + "/acme/kb.git";

        assertThat(pullAndPush(url))
                .allSatisfy(failure -> assertThat(failure).isInstanceOf(RemoteUnavailableException.class));
    }

    /** The failures of a pull and of a push (of the repository's one commit) against {@code url}. */
    private java.util.List<Throwable> pullAndPush(String url) {
        try (KbRepository repo =
                GitFixture.localWithOrigin(tmp.resolve("kb-" + System.nanoTime()), url, GitAuth.NONE)) {
            Throwable pull = catchThrowable(repo::pull);
            Throwable push = catchThrowable(repo::push);
            return java.util.Arrays.asList(pull, push);
        }
    }
}
