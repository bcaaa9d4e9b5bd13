package dev.kbsync.git;

import java.io.IOException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** An open JGit repository plus what every operation needs: branch, remote, credentials. */
record Checkout(Git git, String branch, GitAuth auth) {
    static final String REMOTE = "origin";
    static final int TIMEOUT_SECONDS = 60;
    static final String PLAIN_HTTP = "a token is never sent to a plain http:// remote, where it would travel in clear"
            + " text; register the remote's https:// URL";

    Repository repo() {
        return git.getRepository();
    }

    String localRef() {
        return "refs/heads/" + branch;
    }

    String remoteRef() {
        return "refs/remotes/" + REMOTE + "/" + branch;
    }

    /** origin's URL as configured (never carries a password), or null. */
    String remoteUrl() {
        return repo().getConfig().getString("remote", REMOTE, "url");
    }

    boolean hasRemote() {
        return remoteUrl() != null;
    }

    ObjectId resolve(String rev) throws IOException {
        return repo().resolve(rev);
    }

    /**
     * Applies the timeout and the credential of the moment: a token for an HTTPS remote, a key for an SSH one, or a
     * {@link Withheld} reason to fail with should the remote ask. A token for a plain {@code http://} remote (a KB's
     * reference, one written into its URL) is refused, never sent.
     */
    <C extends TransportCommand<C, ?>> C transport(C command) {
        return authenticate(command, remoteUrl(), auth);
    }

    static <C extends TransportCommand<C, ?>> C authenticate(C command, String url, GitAuth auth) {
        command.setTimeout(TIMEOUT_SECONDS);
        RemoteUrl remote = url == null ? null : RemoteUrl.parse(url);
        if (remote == null || !(remote.isHttp() || remote.isSsh())) {
            return command;
        }
        auth.current().ifPresent(credential -> {
            if (credential instanceof GitCredentials c && remote.isHttp()) {
                if (!remote.isHttps()) {
                    throw new CredentialsUnavailableException(PLAIN_HTTP);
                }
                command.setCredentialsProvider(new OriginCredentials(remote.uri(), c.username(), c.token()));
            } else if (credential instanceof Withheld withheld && remote.isHttps()) {
                command.setCredentialsProvider(withheld.provider());
            } else if (credential instanceof SshIdentity identity && remote.isSsh()) {
                command.setTransportConfigCallback(SshSessions.configure(identity));
            }
        });
        return command;
    }
}
