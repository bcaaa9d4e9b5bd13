package dev.kbsync.git;

import java.util.Locale;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;

/** Classifies JGit failures into masked, unchecked exceptions. */
final class GitFailures {
    static final String AUTH_HELP = "To fix: use an SSH remote (git@github.com:owner/repo.git), configure a git"
            + " credential helper, or set a personal access token (GITHUB_TOKEN or KBSYNC_GIT_TOKEN) with write access";

    private GitFailures() {}

    static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("not authorized")
                    || m.contains("authentication")
                    || m.contains("auth fail")
                    || m.contains("could not read username")
                    || m.contains("could not read password")
                    || m.contains("credentialsprovider")) {
                return true;
            }
        }
        return false;
    }

    static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransportException
                    || t instanceof org.eclipse.jgit.errors.TransportException
                    || t instanceof NoRemoteRepositoryException
                    || t instanceof java.net.SocketException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** "Git error during {@code operation}: <masked>", as a network exception when the remote was involved. */
    static GitException wrap(String operation, Exception e) {
        String message = "Git error during " + operation + ": " + e.getMessage();
        if (isAuthFailure(e)) {
            return new GitNetworkException(message + ". " + AUTH_HELP, e);
        }
        if (isNetwork(e)) {
            return new GitNetworkException(message, e);
        }
        return new GitException(message, e);
    }
}
