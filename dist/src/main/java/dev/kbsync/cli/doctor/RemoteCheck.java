package dev.kbsync.cli.doctor;

import dev.kbsync.api.KbConfig;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredential;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.GitException;
import dev.kbsync.git.RemoteProbe;
import dev.kbsync.git.Withheld;
import dev.kbsync.worker.credentials.CredentialResolver;
import java.time.Duration;
import java.util.Optional;

/**
 * One KB's remote, read-only ({@code ls-remote}) through the worker's git layer with the credential a worker would use
 * for it (its reference resolved within the worker's credential settings, or the environment's host defaults, the
 * generic token only to credentials.gitTokenHosts), and its branch there.
 */
final class RemoteCheck {
    private RemoteCheck() {}

    static Check run(KbConfig kb, CredentialResolver credentials, Duration timeout) {
        String name = "kb " + kb.id().value() + " remote";
        GitAuth auth = credentials.forKb(kb);
        Optional<GitCredential> credential;
        try {
            credential = auth.current();
        } catch (GitException | IllegalArgumentException e) { // unresolvable reference, unparseable URL
            return Check.fail(name, Causes.root(e));
        }
        String where = kb.remote() + credential.map(RemoteCheck::shown).orElse("");
        RemoteProbe.Result result = RemoteProbe.branch(kb.remote(), kb.branch(), auth, timeout);
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

    private static String shown(GitCredential credential) {
        if (credential instanceof GitCredentials token) {
            return " (as " + token.username() + ")";
        }
        return credential instanceof Withheld ? " (no credential for this host)" : " (with the KB's SSH key)";
    }
}
