package dev.kbsync.coordinator.error;

import dev.kbsync.api.Quoting;

/** The caller may see the object but not do this to it (HTTP 403). Codes: NOT_SUBMITTER, NOT_REQUESTER, LOCAL_REMOTE_FORBIDDEN. */
public final class ForbiddenException extends CoordinatorException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String code, String message) {
        super(code, message);
    }

    /** A client token used a raw lease that another token asked for. */
    public static ForbiddenException notRequester(String leaseId) {
        return new ForbiddenException(
                "NOT_REQUESTER",
                "only the token that asked for lease " + Quoting.quote(leaseId)
                        + ", or an admin, may release it, keep it alive or follow it");
    }
}
