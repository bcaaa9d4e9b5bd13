package dev.kbsync.git;

import java.util.Optional;

/**
 * Where a checkout's credential comes from. Asked before every clone, fetch and push and never kept by the git layer,
 * so a rotated secret is used by the next operation. Empty: no credential of our own (JGit's defaults, e.g. the
 * user's SSH keys). Throws {@link CredentialsUnavailableException} when the credential cannot be had.
 */
@FunctionalInterface
public interface GitAuth {
    /** No credential of our own. */
    GitAuth NONE = Optional::empty;

    Optional<GitCredential> current();

    /** Always {@code credential}. */
    static GitAuth fixed(GitCredential credential) {
        Optional<GitCredential> value = Optional.of(credential);
        return () -> value;
    }
}
