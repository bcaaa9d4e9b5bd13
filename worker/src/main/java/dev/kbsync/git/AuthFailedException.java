package dev.kbsync.git;

/**
 * The remote refused the credential, or the service to it (HTTP 401/403, an SSH key not accepted): waiting would not
 * help. The message carries hints to fix it; masked.
 */
public class AuthFailedException extends GitNetworkException {
    private static final long serialVersionUID = 1L;

    public AuthFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
