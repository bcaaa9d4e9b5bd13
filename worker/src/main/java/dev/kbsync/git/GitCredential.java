package dev.kbsync.git;

/** What a checkout shows its remote: a token for HTTPS ({@link GitCredentials}) or a key for SSH ({@link SshIdentity}). */
public sealed interface GitCredential permits GitCredentials, SshIdentity {}
