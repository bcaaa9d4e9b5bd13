package dev.kbsync.git;

/**
 * The remote could not be reached for now: the connection was refused, reset or timed out, its host name did not
 * resolve, or the server answered that it cannot serve the request at the moment (HTTP 5xx, 408, 429). Trying again
 * later may work, unlike a refused credential or a repository that does not exist. Message masked.
 */
public class RemoteUnavailableException extends GitNetworkException {
    private static final long serialVersionUID = 1L;

    public RemoteUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
