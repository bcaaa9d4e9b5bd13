package dev.kbsync.cli.doctor;

import dev.kbsync.api.KbConfig;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.RemoteProbe;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One KB's remote, read-only ({@code ls-remote}) through the worker's git layer with the credentials a worker would
 * use for it (from the same environment), and its branch there.
 */
final class RemoteCheck {
    private RemoteCheck() {}

    static Check run(KbConfig kb, Map<String, String> env, Duration timeout) {
        String name = "kb " + kb.id().value() + " remote";
        Optional<GitCredentials> credentials;
        try {
            credentials = GitCredentials.fromEnvironment(env, kb.remote());
        } catch (RuntimeException e) { // an unparseable URL
            return Check.fail(name, Causes.root(e));
        }
        String where =
                kb.remote() + credentials.map(c -> " (as " + c.username() + ")").orElse("");
        RemoteProbe.Result result = RemoteProbe.branch(kb.remote(), kb.branch(), credentials, timeout);
        if (result instanceof RemoteProbe.Found found) {
            return Check.pass(
                    name,
                    where + ": branch " + kb.branch() + " at " + found.commit().substring(0, 12));
        }
        if (result instanceof RemoteProbe.NoBranch missing) {
            return Check.fail(
                    name,
                    where + ": no branch '" + kb.branch() + "' (branches: "
                            + (missing.branches().isEmpty() ? "none" : String.join(", ", missing.branches())) + ")");
        }
        return Check.fail(name, where + ": " + ((RemoteProbe.Failed) result).message());
    }
}
