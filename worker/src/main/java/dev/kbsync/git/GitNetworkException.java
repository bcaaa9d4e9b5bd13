package dev.kbsync.git;

/** The remote could not be reached or refused the connection (network, TLS, authentication); message masked. */
public class GitNetworkException extends GitException {
    private static final long serialVersionUID = 1L;

    public GitNetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
