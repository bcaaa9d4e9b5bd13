package dev.kbsync.git;

import java.io.IOException;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.RefLeaseSpec;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * Pushes local branch to origin with an explicit, non-forced refspec, only over the remote branch as this checkout last
 * saw it (a lease), and classifies the per-ref status.
 */
final class PushOperation {
    private final Checkout checkout;

    PushOperation(Checkout checkout) {
        this.checkout = checkout;
    }

    PushResult push() {
        if (!checkout.hasRemote()) {
            return new PushResult.NoRemote();
        }
        try {
            ObjectId local = checkout.resolve(checkout.localRef());
            if (local == null) {
                throw new GitException("Nothing to push: branch '" + checkout.branch() + "' has no commits");
            }
            RefSpec spec = new RefSpec(checkout.localRef() + ":" + checkout.localRef());
            PushCommand command = checkout.transport(checkout.git().push())
                    .setRemote(Checkout.REMOTE)
                    .setRefSpecs(spec)
                    .setForce(false);
            ObjectId seen = checkout.resolve(checkout.remoteRef());
            if (seen != null) {
                // Only over the branch as last seen: one rewound to an older commit would take a fast-forward that
                // puts back what was dropped (a cycle after a clean push does not fetch first).
                command.setRefLeaseSpecs(new RefLeaseSpec(checkout.localRef(), seen.name()));
            }
            var results = command.call();
            for (var result : results) {
                RemoteRefUpdate update = result.getRemoteUpdate(checkout.localRef());
                if (update != null) {
                    return classify(update, local, result.getMessages());
                }
            }
            throw new GitException("Git error during push: no status reported for " + checkout.localRef());
        } catch (GitAPIException | IOException | JGitInternalException e) {
            if (GitFailures.isAuthFailure(e)) {
                return new PushResult.AuthFailed(Secrets.mask(e.getMessage()));
            }
            throw GitFailures.wrap("push", e);
        }
    }

    /** {@code said}: what the remote printed during the push (a hook's stderr), told with a refusal. */
    private PushResult classify(RemoteRefUpdate update, ObjectId local, String said) throws IOException {
        return switch (update.getStatus()) {
            case OK -> {
                setUpstreamIfMissing();
                yield new PushResult.Pushed(local.name(), false);
            }
            case UP_TO_DATE -> new PushResult.Pushed(local.name(), true);
            case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED ->
                new PushResult.RejectedNonFastForward(update.getStatus().name());
            default ->
                lostRace(update)
                        ? new PushResult.RejectedNonFastForward(
                                update.getStatus().name() + ": " + update.getMessage())
                        : new PushResult.Rejected(
                                update.getStatus().name(), RemoteText.refusal(update.getMessage(), said));
        };
    }

    /** The remote could not lock the ref because another push was updating it: same meaning as non-fast-forward. */
    private static boolean lostRace(RemoteRefUpdate update) {
        String message = update.getMessage();
        return update.getStatus() == RemoteRefUpdate.Status.REJECTED_OTHER_REASON
                && message != null
                && message.toLowerCase(java.util.Locale.ROOT).contains("lock");
    }

    private void setUpstreamIfMissing() throws IOException {
        StoredConfig config = checkout.repo().getConfig();
        if (config.getString("branch", checkout.branch(), "remote") == null) {
            config.setString("branch", checkout.branch(), "remote", Checkout.REMOTE);
            config.setString("branch", checkout.branch(), "merge", checkout.localRef());
            config.save();
        }
    }
}
