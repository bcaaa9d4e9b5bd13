package dev.kbsync.git;

import java.io.IOException;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/** An open JGit repository plus what every operation needs: branch, remote, credentials. */
record Checkout(Git git, String branch, Optional<GitCredentials> credentials) {
    static final String REMOTE = "origin";
    static final int TIMEOUT_SECONDS = 60;

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

    /** Applies timeout and, for HTTPS remotes only, the credentials provider. */
    <C extends TransportCommand<C, ?>> C transport(C command) {
        return authenticate(command, remoteUrl(), credentials);
    }

    static <C extends TransportCommand<C, ?>> C authenticate(
            C command, String url, Optional<GitCredentials> credentials) {
        command.setTimeout(TIMEOUT_SECONDS);
        if (url != null && RemoteUrl.parse(url).isHttp()) {
            credentials.ifPresent(c ->
                    command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(c.username(), c.token())));
        }
        return command;
    }
}
