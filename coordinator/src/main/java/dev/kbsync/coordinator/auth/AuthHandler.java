package dev.kbsync.coordinator.auth;

import dev.kbsync.api.InvalidInputException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} (or the {@code access_token} query parameter on the event streams'
 * routes, since browsers' EventSource cannot set headers) against the role an endpoint needs and, for a path naming a
 * KB, against the token's KBs; the {@link Caller} is attached to the request for the routes' own scope checks. When
 * auth is disabled every request passes as {@link Caller#OPEN}.
 */
public final class AuthHandler {
    private static final String BEARER = "bearer ";
    private final Optional<TokenAuthenticator> authenticator;

    private AuthHandler(Optional<TokenAuthenticator> authenticator) {
        this.authenticator = authenticator;
    }

    public static AuthHandler enabled(TokenAuthenticator authenticator) {
        return new AuthHandler(Optional.of(authenticator));
    }

    public static AuthHandler disabled() {
        return new AuthHandler(Optional.empty());
    }

    /** A route handler that lets the request continue only with a token allowing one of {@code anyOf}. */
    public Handler<RoutingContext> require(Access... anyOf) {
        return require(false, anyOf);
    }

    /**
     * Like {@link #require} for an event stream's route: a GET may bring its token as the {@code access_token} query
     * parameter (browsers' EventSource cannot set headers). No other route takes it.
     */
    public Handler<RoutingContext> requireOnStream(Access... anyOf) {
        return require(true, anyOf);
    }

    private Handler<RoutingContext> require(boolean stream, Access... anyOf) {
        return ctx -> {
            Caller caller = check(ctx, stream, anyOf);
            String kb = ctx.pathParam("kb");
            if (kb != null) {
                caller.checkKb(kb);
            }
            ctx.next();
        };
    }

    /** Like {@link #require} for endpoints that cover every KB (metrics): a token scoped to KBs is refused. */
    public Handler<RoutingContext> requireEveryKb(Access... anyOf) {
        return ctx -> {
            Caller caller = check(ctx, false, anyOf);
            if (caller.kbScoped()) {
                throw AuthException.scope(
                        "SCOPE_KB", "token " + caller.name() + " is scoped to KBs; this endpoint covers every KB");
            }
            ctx.next();
        };
    }

    private Caller check(RoutingContext ctx, boolean stream, Access... anyOf) {
        Caller caller = authenticator.isEmpty() ? Caller.OPEN : authenticate(ctx, stream);
        if (Arrays.stream(anyOf).noneMatch(caller.role()::allows)) {
            throw AuthException.forbidden(caller.role(), anyOf[0]);
        }
        caller.attach(ctx);
        return caller;
    }

    private Caller authenticate(RoutingContext ctx, boolean stream) {
        HttpMethod method = ctx.request().method();
        boolean queryTokenAllowed = stream && (method == HttpMethod.GET || method == HttpMethod.HEAD);
        String token = presented(ctx, queryTokenAllowed);
        if (token == null) {
            throw AuthException.unauthenticated("an Authorization: Bearer <token> header is required");
        }
        return authenticator
                .flatMap(a -> a.callerOf(token))
                .orElseThrow(() -> AuthException.unauthenticated("the bearer token is not valid"));
    }

    /**
     * The bearer token of the request, or its {@code access_token} where {@code fromQuery}; null: none. An
     * {@code access_token} given twice is refused (400 INVALID_PARAMETER) rather than one of them picked.
     */
    private static String presented(RoutingContext ctx, boolean fromQuery) {
        if (fromQuery && ctx.queryParams().getAll("access_token").size() > 1) {
            throw new InvalidInputException("INVALID_PARAMETER", "query parameter access_token given twice");
        }
        String header = ctx.request().getHeader("Authorization");
        if (header != null) {
            boolean bearer = header.regionMatches(true, 0, BEARER, 0, BEARER.length());
            return bearer ? header.substring(BEARER.length()).trim() : null;
        }
        // the routing context's query, not the request's: a query it cannot decode fails there as a 400
        return fromQuery ? ctx.queryParams().get("access_token") : null;
    }
}
