package dev.kbsync.git;

/** A git operation could not run; the message is always masked. */
public class GitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GitException(String message, Throwable cause) {
        super(Secrets.mask(message), cause);
    }

    public GitException(String message) {
        this(message, null);
    }
}
