package dev.kbsync.git;

import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;

/** Classifies JGit failures into masked, unchecked exceptions. */
final class GitFailures {
    static final String AUTH_HELP = "To fix: give the KB's registration a credential reference (a token with write"
            + " access in a worker variable or secret file, a GitHub App installation, or an SSH key), use an SSH remote"
            + " (git@github.com:owner/repo.git), configure a git credential helper, or set a personal access token"
            + " (GITHUB_TOKEN, or KBSYNC_GIT_TOKEN with the host in credentials.gitTokenHosts) on the worker";

    static final String HOST_KEY_HELP = "The SSH server's host key is not in the KB's known_hosts file (strict host key"
            + " checking): add the host's key to it (ssh-keyscan -p <port> <host>) if this is the right server";

    private GitFailures() {}

    private static boolean causedBy(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        return false;
    }

    static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("not authorized")
                    || m.contains("authentication")
                    || m.contains("auth fail")
                    || m.contains("could not read username")
                    || m.contains("could not read password")
                    || m.contains("not permitted on") // HTTP 403: JGit's "git-receive-pack not permitted on '<url>'"
                    || m.contains("credentialsprovider")) {
                return true;
            }
        }
        return false;
    }

    /** The remote could not be reached: network trouble, or no credential to reach it with. */
    static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CredentialsUnavailableException
                    || t instanceof TransportException
                    || t instanceof org.eclipse.jgit.errors.TransportException
                    || t instanceof NoRemoteRepositoryException
                    || t instanceof java.net.SocketException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /**
     * An HTTP status that says "not now" as JGit words it ({@code <url>: 503 Service Unavailable}): a server error, a
     * gateway without its backend, a request timeout, a rate limit.
     */
    private static final Pattern BUSY_STATUS = Pattern.compile(": (5\\d\\d|408|429)( [A-Za-z].*)?$");

    /** Connection-level failures JGit (or the JDK, or the SSH client) words in its messages. */
    private static final String[] UNREACHABLE = {
        "connection refused",
        "connection reset",
        "connection timed out",
        "read timed out",
        "connect timed out",
        "no route to host",
        "network is unreachable",
        "remote hung up unexpectedly",
        "unknownhostexception",
        "temporary failure in name resolution"
    };

    /**
     * The remote could not be reached for now (trying again later may work): a connection refused, reset or timed
     * out, an unknown host, or an HTTP 5xx, 408 or 429 answer. Not a refused credential (checked first by
     * {@link #wrap}), not a repository that does not exist.
     */
    static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.NoRouteToHostException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
            String m = String.valueOf(t.getMessage());
            String lower = m.toLowerCase(Locale.ROOT);
            for (String text : UNREACHABLE) {
                if (lower.contains(text)) {
                    return true;
                }
            }
            if (BUSY_STATUS.matcher(m.strip()).find()) {
                return true;
            }
        }
        return false;
    }

    /** "Git error during {@code operation}: <masked>", as a network exception when the remote was involved. */
    static GitException wrap(String operation, Exception e) {
        if (e instanceof CredentialsUnavailableException unavailable) {
            return unavailable;
        }
        if (e instanceof RemoteUnavailableException forNow) { // a credential's token API, asked before the transport
            return forNow;
        }
        var notFound = RemoteNotFoundException.of(operation, e);
        if (notFound.isPresent()) {
            return notFound.get();
        }
        String message = "Git error during " + operation + ": " + e.getMessage();
        if (causedBy(e, "server key did not validate")) {
            return new HostKeyRejectedException(message + ". " + HOST_KEY_HELP, e);
        }
        if (isAuthFailure(e)) {
            return new AuthFailedException(message + ". " + AUTH_HELP, e);
        }
        if (isNetwork(e) && isUnavailable(e)) {
            return new RemoteUnavailableException(message, e);
        }
        if (isNetwork(e)) {
            return new GitNetworkException(message, e);
        }
        return new GitException(message, e);
    }
}
