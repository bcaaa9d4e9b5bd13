package dev.kbsync.coordinator.auth;

/** What an endpoint needs: read state, submit work (jobs, raw leases), run jobs (workers), or administer. */
public enum Access {
    READ,
    SUBMIT,
    WORK,
    ADMIN
}
