package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * What the request's token may do ({@code GET /v1/whoami}): its name, role ({@code client}, {@code worker} or
 * {@code admin}), the KBs and users it acts on (names and prefixes ending in {@code *}; {@code ["*"]}: every one) and
 * its quota of submissions per rate-limit window (0: none). Never the token itself.
 */
public record TokenInfo(String name, String role, List<String> kbs, List<String> users, int quota) {
    public TokenInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        kbs = List.copyOf(kbs);
        users = List.copyOf(users);
    }

    /** Whether it may do everything (register KBs, force-release, cancel any job). */
    public boolean admin() {
        return role.equals("admin");
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("name", name)
                .put("role", role)
                .put("kbs", new JsonArray(kbs))
                .put("users", new JsonArray(users))
                .put("quota", quota);
    }

    public static TokenInfo fromJson(JsonObject json) {
        return new TokenInfo(
                json.getString("name"),
                json.getString("role"),
                strings(Json.required(json, "kbs")),
                strings(Json.required(json, "users")),
                json.getInteger("quota", 0));
    }

    private static List<String> strings(JsonArray array) {
        return array.stream().map(String::valueOf).toList();
    }
}
