package dev.kbsync.git;

import java.util.Optional;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;

/**
 * An HTTP(S) remote answered 404: the repository does not exist, or the credential cannot see it (hosts answer 404,
 * not 403, for a private repository). The job fails with {@code REMOTE_NOT_FOUND}; the message names the URL without
 * credentials. (A missing local path stays a plain sync failure: an unmounted disk comes back.)
 */
public class RemoteNotFoundException extends GitException {
    private static final long serialVersionUID = 1L;

    static final String HELP = "check the URL, or that the credential can read it (a host answers 404, not 403, to a"
            + " credential that cannot see a private repository)";

    public RemoteNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "Git error during {@code operation}: the remote repository <url> was not found (HTTP 404): ...", if so. */
    static Optional<RemoteNotFoundException> of(String operation, Throwable e) {
        return notFoundUrl(e)
                .map(url -> new RemoteNotFoundException(
                        "Git error during " + operation + ": the remote repository " + url
                                + " was not found (HTTP 404): " + HELP,
                        e));
    }

    /**
     * The URL, without credentials, of the HTTP remote whose 404 is among {@code e}'s causes. JGit's message starts
     * with the remote's URI (password already dropped), then ": " and what went wrong.
     */
    private static Optional<String> notFoundUrl(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoRemoteRepositoryException) {
                String message = String.valueOf(t.getMessage());
                int end = message.indexOf(": ");
                try {
                    RemoteUrl url = RemoteUrl.parse(end < 0 ? message : message.substring(0, end));
                    return url.isHttp() ? Optional.of(url.withoutCredentials()) : Optional.empty();
                } catch (GitException unparsable) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
