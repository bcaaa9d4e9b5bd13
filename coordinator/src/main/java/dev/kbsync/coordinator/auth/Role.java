package dev.kbsync.coordinator.auth;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Quoting;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Who a token belongs to: a client submits and reads, a worker runs jobs and reads, an admin may do everything. */
public enum Role {
    CLIENT(EnumSet.of(Access.READ, Access.SUBMIT)),
    WORKER(EnumSet.of(Access.READ, Access.WORK)),
    ADMIN(EnumSet.allOf(Access.class));

    private final Set<Access> grants;

    Role(Set<Access> grants) {
        this.grants = grants;
    }

    public boolean allows(Access access) {
        return grants.contains(access);
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromWire(String value) {
        for (Role role : values()) {
            if (role.wire().equals(value)) {
                return role;
            }
        }
        throw new InvalidInputException(
                "INVALID_ROLE", "role must be client, worker or admin, got " + Quoting.quote(value));
    }
}
