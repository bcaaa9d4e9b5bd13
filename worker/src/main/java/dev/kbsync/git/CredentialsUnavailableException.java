package dev.kbsync.git;

/**
 * A KB's credential reference could not be resolved (a variable not set, a file missing, a token exchange refused):
 * the job fails with {@code CREDENTIALS_UNAVAILABLE}. The message names the reference, never a secret.
 */
public class CredentialsUnavailableException extends GitException {
    private static final long serialVersionUID = 1L;

    public CredentialsUnavailableException(String message) {
        super(message);
    }
}
