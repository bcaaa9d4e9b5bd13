package dev.kbsync.git;

/** Outcome of {@link KbRepository#push()}; a push is never forced. */
public sealed interface PushResult {
    String message();

    /** The remote branch now points at {@code commitId} ({@code upToDate}: it already did). */
    record Pushed(String commitId, boolean upToDate) implements PushResult {
        public String message() {
            return upToDate ? "Everything up to date" : "Changes pushed to origin";
        }
    }

    /** Someone else pushed first: pull, then push again. */
    record RejectedNonFastForward(String status) implements PushResult {
        public String message() {
            return "Push rejected (" + status + "): the remote has new commits; pull and retry";
        }
    }

    /** The remote refused our credentials; {@code detail} is masked. */
    record AuthFailed(String detail) implements PushResult {
        public String message() {
            return "Authentication failed while pushing: " + detail + ". " + GitFailures.AUTH_HELP;
        }
    }

    /** The remote refused the update for another reason (hook, protected branch, ...). */
    record Rejected(String status, String detail) implements PushResult {
        public String message() {
            return "Push rejected (" + status + ")" + (detail == null ? "" : ": " + Secrets.mask(detail));
        }
    }

    /** There is no remote called origin. */
    record NoRemote() implements PushResult {
        public String message() {
            return "No remote 'origin' to push to";
        }
    }
}
