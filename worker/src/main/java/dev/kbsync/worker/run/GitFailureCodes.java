package dev.kbsync.worker.run;

import dev.kbsync.git.AuthFailedException;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitException;
import dev.kbsync.git.HostKeyRejectedException;
import dev.kbsync.git.PushResult;
import dev.kbsync.git.RemoteNotFoundException;

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
        return e instanceof AuthFailedException ? "AUTH_FAILED" : "PULL_FAILED";
    }

    static String ofPush(PushResult push) {
        if (push instanceof PushResult.AuthFailed) {
            return "AUTH_FAILED";
        }
        return push instanceof PushResult.NoRemote ? "NO_REMOTE" : "PUSH_REJECTED";
    }
}
