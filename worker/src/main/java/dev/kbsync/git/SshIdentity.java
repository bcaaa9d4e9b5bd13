package dev.kbsync.git;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * An SSH private key file (unencrypted) for SSH remotes, and the known_hosts file the server's host key must be listed
 * in. With {@code strictHostKeyChecking} off any host key is accepted (and none is recorded); on, an unknown or
 * changed host key is refused. Both files are read at every connection, so a replaced key is used at once.
 */
public record SshIdentity(Path keyFile, Optional<Path> knownHosts, boolean strictHostKeyChecking)
        implements GitCredential {
    public SshIdentity {
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(knownHosts, "knownHosts");
        if (strictHostKeyChecking && knownHosts.isEmpty()) {
            throw new IllegalArgumentException("strict host key checking needs a known_hosts file");
        }
    }
}
