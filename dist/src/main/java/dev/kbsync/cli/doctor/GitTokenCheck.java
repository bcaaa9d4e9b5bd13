package dev.kbsync.cli.doctor;

import dev.kbsync.git.TokenHosts;
import dev.kbsync.worker.credentials.CredentialResolver;
import java.util.Optional;

/**
 * Where the worker's generic git token may go: a warning while it goes to any https host (KBSYNC_GIT_TOKEN set,
 * credentials.gitTokenHosts not), the hosts when they are named.
 */
final class GitTokenCheck {
    private static final String NAME = "git token hosts";

    private GitTokenCheck() {}

    static Check run(Optional<TokenHosts> hosts, CredentialResolver credentials) {
        Optional<String> warning = credentials.genericTokenWarning();
        if (warning.isPresent()) {
            return Check.warn(NAME, warning.get());
        }
        return hosts.map(h -> Check.pass(NAME, "KBSYNC_GIT_TOKEN goes only to " + h))
                .orElseGet(() -> Check.skip(NAME, "KBSYNC_GIT_TOKEN is not set"));
    }
}
