package dev.kbsync.worker.run;

import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitException;
import dev.kbsync.git.HostKeyRejectedException;
import dev.kbsync.git.PushResult;
import dev.kbsync.git.RemoteNotFoundException;
import java.util.Locale;

/** Job error codes for git failures. */
final class GitFailureCodes {
    private GitFailureCodes() {}

    static final String CREDENTIALS_UNAVAILABLE = "CREDENTIALS_UNAVAILABLE";

    static String ofSync(GitException e) {
        if (e instanceof CredentialsUnavailableException) {
            return CREDENTIALS_UNAVAILABLE;
        }
        if (e instanceof RemoteNotFoundException) {
            return "REMOTE_NOT_FOUND";
        }
        if (e instanceof HostKeyRejectedException) {
            return "HOST_KEY_REJECTED";
        }
        return looksLikeAuth(e.getMessage()) ? "AUTH_FAILED" : "PULL_FAILED";
    }

    static String ofPush(PushResult push) {
        if (push instanceof PushResult.AuthFailed) {
            return "AUTH_FAILED";
        }
        return push instanceof PushResult.NoRemote ? "NO_REMOTE" : "PUSH_REJECTED";
    }

    private static boolean looksLikeAuth(String message) {
        String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return text.contains("auth") || text.contains("not authorized") || text.contains("credentials");
    }
}
