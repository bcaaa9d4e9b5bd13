package dev.kbsync.git;

import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * No credential for this remote although the worker has one it will not show there (the generic token, to a host not
 * in {@code credentials.gitTokenHosts}): a remote that serves without one is read as usual; one that asks for a
 * credential fails the operation with a {@link CredentialsUnavailableException} saying {@code reason}.
 */
public record Withheld(String reason) implements GitCredential {

    /** What JGit asks when the remote answers 401: nothing is given, the operation stops with {@code reason}. */
    CredentialsProvider provider() {
        return new CredentialsProvider() {
            @Override
            public boolean isInteractive() {
                return false;
            }

            @Override
            public boolean supports(CredentialItem... items) {
                return true;
            }

            @Override
            public boolean get(URIish uri, CredentialItem... items) {
                throw new CredentialsUnavailableException(reason);
            }
        };
    }
}
