package dev.kbsync.coordinator.auth;

import dev.kbsync.api.Quoting;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Who makes a request: the token's name, role, the KBs and users it may act on, its quota. Requests outside its KBs
 * are refused (403 SCOPE_KB) or, for objects found by id (jobs, leases), answered as if they did not exist (404);
 * submissions as a user outside its users, and lists and streams of such a user's jobs, are refused (403 SCOPE_USER).
 */
public record Caller(String name, Role role, NamePatterns kbs, NamePatterns users, int quota) {
    /** Every request while authentication is off. */
    public static final Caller OPEN = new Caller("open", Role.ADMIN, NamePatterns.ANY, NamePatterns.ANY, 0);

    private static final String KEY = "kbsync.caller";

    /** The caller the auth handler found for this request. */
    public static Caller of(RoutingContext ctx) {
        Caller caller = ctx.get(KEY);
        return caller == null ? OPEN : caller;
    }

    void attach(RoutingContext ctx) {
        ctx.put(KEY, this);
    }

    public boolean mayUse(String kb) {
        return kbs.matches(kb);
    }

    public boolean mayActAs(String user) {
        return users.matches(user);
    }

    /** Whether a job or an object of {@code kb} submitted as {@code user} is this caller's to see. */
    public boolean sees(String kb, String user) {
        return mayUse(kb) && mayActAs(user);
    }

    /** Scoped to some KBs (not every one). */
    public boolean kbScoped() {
        return !kbs.any();
    }

    /** Scoped to neither KBs nor users: the operator's own token (or authentication off). */
    public boolean unscoped() {
        return kbs.any() && users.any();
    }

    /** The one user this caller submits as when a request names none. */
    public Optional<String> fixedUser() {
        return users.single();
    }

    /** 403 SCOPE_KB unless the caller may act on {@code kb}. */
    public void checkKb(String kb) {
        if (!mayUse(kb)) {
            throw AuthException.scope(
                    "SCOPE_KB",
                    "token " + name + " may not act on KB " + Quoting.quote(kb) + " (its KBs: " + kbs + ")");
        }
    }

    /**
     * 403 SCOPE_USER unless the caller may act as {@code user}; {@code action} says what it asked for ("submit as",
     * "list the jobs of", "follow the jobs of").
     */
    public void checkUser(String user, String action) {
        if (!mayActAs(user)) {
            throw AuthException.scope(
                    "SCOPE_USER",
                    "token " + name + " may not " + action + " user " + Quoting.quote(user) + " (its users: " + users
                            + ")");
        }
    }
}
