package dev.kbsync.coordinator.config;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.config.ConfigException;
import dev.kbsync.coordinator.auth.NamePatterns;
import dev.kbsync.coordinator.auth.Role;
import dev.kbsync.coordinator.auth.Token;
import java.util.Map;

/** One {@code auth.tokens} entry: {@code {token, role, name?, kbs?, users?, quota?}}; messages never show the token. */
final class TokenEntries {
    private TokenEntries() {}

    static Token token(Map<String, String> entry, String where) {
        String digest;
        try {
            digest = Token.digestOf(entry.get("token"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ".token: " + e.getMessage());
        }
        Role role = role(entry.get("role"), where);
        NamePatterns kbs = patterns(entry.get("kbs"), where + ".kbs");
        NamePatterns users = patterns(entry.get("users"), where + ".users");
        if (role == Role.WORKER && !(kbs.any() && users.any())) {
            throw new ConfigException(
                    where + ": a worker token serves every KB; kbs and users scope client and" + " admin tokens only");
        }
        String name = entry.getOrDefault("name", role.wire() + "-" + digest.substring(0, 8));
        int quota = quota(entry.get("quota"), where);
        try {
            return new Token(name, digest, role, kbs, users, quota);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ".name: " + e.getMessage());
        }
    }

    private static Role role(String value, String where) {
        try {
            return Role.fromWire(value);
        } catch (InvalidInputException e) {
            throw new ConfigException(where + ".role: " + e.getMessage());
        }
    }

    private static NamePatterns patterns(String value, String where) {
        if (value != null && value.replace(',', ' ').isBlank()) { // kbs: [], [""] or ["", ""]: read as "every KB"
            throw new ConfigException(where + ": an empty list scopes the token to nothing; leave the key out for"
                    + " every one, or name at least one (a name, or a prefix ending in *)");
        }
        try {
            return NamePatterns.parse(value);
        } catch (InvalidInputException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static int quota(String value, String where) {
        if (value == null) {
            return 0;
        }
        try {
            int quota = Integer.parseInt(value.strip());
            if (quota >= 0 && quota <= 1_000_000) {
                return quota;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new ConfigException(where + ".quota: must be 0-1000000 (submissions per rate-limit window, 0 = none)");
    }
}
