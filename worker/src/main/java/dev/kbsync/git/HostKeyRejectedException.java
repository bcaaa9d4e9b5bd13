package dev.kbsync.git;

/** An SSH remote's host key is not in the KB's known_hosts file (strict host key checking): nothing was sent to it. */
public class HostKeyRejectedException extends GitNetworkException {
    private static final long serialVersionUID = 1L;

    public HostKeyRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
