package dev.kbsync.git;

/**
 * What a checkout shows its remote: a token for HTTPS ({@link GitCredentials}), a key for SSH ({@link SshIdentity}), or
 * nothing, with the reason when the remote asks ({@link Withheld}).
 */
public sealed interface GitCredential permits GitCredentials, SshIdentity, Withheld {}
