package dev.kbsync.coordinator.snapshot;

import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * The read mirror's SSH: none. JGit's default SSH session factory (the launcher bundles it) connects with the
 * coordinator user's own {@code ~/.ssh} keys, agent, config and {@code known_hosts}; whoever registers a KB chooses
 * its remote, so a mirror fetch over SSH could read any repository that user's key may. The coordinator has no SSH
 * credentials for reads ({@code reads.credentialDirs} holds tokens only), so every SSH transport of a mirror fetch
 * gets this factory, which opens no connection and fails the fetch saying why.
 */
final class NoSsh extends SshSessionFactory {
    static final String WHY = "the coordinator does not read SSH remotes (it has no SSH credentials for reads and never"
            + " uses its host's own keys)";

    private static final NoSsh INSTANCE = new NoSsh();

    /** Installs the refusing factory on every SSH transport a fetch opens. */
    static final TransportConfigCallback CALLBACK = transport -> {
        if (transport instanceof SshTransport ssh) {
            ssh.setSshSessionFactory(INSTANCE);
        }
    };

    private NoSsh() {}

    @Override
    public RemoteSession getSession(
            URIish uri, org.eclipse.jgit.transport.CredentialsProvider credentials, FS fs, int tms)
            throws TransportException {
        throw new TransportException(WHY);
    }

    @Override
    public String getType() {
        return "none";
    }
}
