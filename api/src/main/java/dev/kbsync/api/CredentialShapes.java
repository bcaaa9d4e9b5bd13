package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The shape checks and the parser of {@link CredentialRef}; messages never repeat a value that could be a secret. */
final class CredentialShapes {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Prefixes of GitHub and GitLab tokens: a value like this was pasted where a variable name belongs. */
    private static final Pattern TOKEN_LIKE = Pattern.compile("(?i)(gh[pousr]_|github_pat_|glpat).*");

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{1,100}");
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9.]{1,64}");
    private static final Pattern LOOPBACK = Pattern.compile("localhost|127(\\.\\d{1,3}){3}|\\[::1]");
    private static final List<String> FIELDS = List.of(
            "env",
            "file",
            "username",
            "githubApp.appId",
            "githubApp.installationId",
            "githubApp.privateKeyFile",
            "githubApp.apiBase",
            "sshKey",
            "knownHosts",
            "strictHostKeyChecking");
    private static final int MAX_PATH = 1000;

    private CredentialShapes() {}

    static CredentialRef parse(Map<String, String> fields) {
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!FIELDS.contains(field.getKey())) {
                throw invalid(
                        "unknown field " + Quoting.quote("credentials." + field.getKey()) + "; allowed: " + FIELDS);
            }
            if (field.getValue() != null && UnicodeForm.hasLoneSurrogate(field.getValue())) {
                throw invalid("credentials." + field.getKey() + " must not hold an unpaired surrogate (no UTF-8 form)");
            }
        }
        List<String> kinds = List.of("env", "file", "githubApp", "sshKey").stream()
                .filter(kind -> fields.keySet().stream().anyMatch(f -> f.equals(kind) || f.startsWith(kind + ".")))
                .toList();
        if (kinds.size() != 1) {
            throw invalid("credentials must name exactly one of env, file, githubApp, sshKey; got " + kinds);
        }
        String kind = kinds.get(0);
        only(fields, kind, kind.equals("env") || kind.equals("file") ? List.of("username") : List.of());
        return switch (kind) {
            case "env" -> new CredentialRef.Env(fields.get("env"), fields.get("username"));
            case "file" -> new CredentialRef.File(fields.get("file"), fields.get("username"));
            case "githubApp" ->
                new CredentialRef.GitHubApp(
                        fields.get("githubApp.appId"),
                        positive("credentials.githubApp.installationId", fields.get("githubApp.installationId")),
                        fields.get("githubApp.privateKeyFile"),
                        fields.get("githubApp.apiBase"));
            default ->
                new CredentialRef.SshKey(
                        fields.get("sshKey"), fields.get("knownHosts"), bool(fields.get("strictHostKeyChecking")));
        };
    }

    /** The fields of {@code kind} and {@code extra} are allowed; any other kind's field is refused. */
    private static void only(Map<String, String> fields, String kind, List<String> extra) {
        List<String> sshOnly = List.of("knownHosts", "strictHostKeyChecking");
        for (String name : fields.keySet()) {
            boolean own = name.equals(kind) || name.startsWith(kind + ".") || extra.contains(name);
            if (!own && !(kind.equals("sshKey") && sshOnly.contains(name))) {
                throw invalid("field " + Quoting.quote("credentials." + name) + " does not go with " + kind);
            }
        }
    }

    static Map<String, String> flatten(JsonObject json) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", json, out);
        return out;
    }

    private static void flatten(String prefix, JsonObject json, Map<String, String> out) {
        for (String name : json.fieldNames()) {
            Object value = json.getValue(name);
            if (value instanceof JsonObject nested) {
                flatten(prefix + name + ".", nested, out);
            } else if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                out.put(prefix + name, value.toString());
            } else if (value != null) {
                throw invalid("field " + Quoting.quote("credentials." + prefix + name) + " must be a single value");
            }
        }
    }

    static String envName(String field, String name) {
        if (name == null
                || !ENV_NAME.matcher(name).matches()
                || TOKEN_LIKE.matcher(name).matches()) {
            throw invalid(field + " must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), not a token");
        }
        if (name.toUpperCase(Locale.ROOT).startsWith("KBSYNC_")) {
            throw invalid(field + " must not name a KBSYNC_* variable (the worker's own settings, e.g. its token)");
        }
        return name;
    }

    static String absolutePath(String field, String path) {
        if (path == null
                || path.length() > MAX_PATH
                || !path.startsWith("/")
                || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || path.contains("//")
                || path.endsWith("/")
                || List.of(path.split("/")).stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            throw invalid(field + " must be an absolute, normalized file path, got " + Quoting.quote(path));
        }
        return path;
    }

    static String username(String username) {
        if (username != null && !USERNAME.matcher(username).matches()) {
            throw invalid("credentials.username must match [A-Za-z0-9._@+-]{1,100}");
        }
        return username;
    }

    static String appId(String appId) {
        if (appId == null || !APP_ID.matcher(appId).matches()) {
            throw invalid("credentials.githubApp.appId must be the app's id or client id ([A-Za-z0-9.]{1,64})");
        }
        return appId;
    }

    /** https, or http on a loopback address (a local stand-in); no user info, query or fragment. */
    static String apiBase(String base) {
        URI uri;
        try {
            uri = new URI(base);
        } catch (URISyntaxException e) {
            throw invalid("credentials.githubApp.apiBase must be a URL, got " + Quoting.quote(base));
        }
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        String host = String.valueOf(uri.getHost());
        boolean allowed = scheme.equals("https")
                || (scheme.equals("http") && LOOPBACK.matcher(host).matches());
        if (!allowed
                || uri.getHost() == null
                || uri.getUserInfo() != null
                || uri.getQuery() != null
                || uri.getFragment() != null) {
            throw invalid("credentials.githubApp.apiBase must be an https:// URL (http:// only on loopback), got "
                    + Quoting.quote(base));
        }
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    static JsonObject withUsername(JsonObject json, String username) {
        return username == null ? json : json.put("username", username);
    }

    private static long positive(String field, String value) {
        try {
            long parsed = Long.parseLong(String.valueOf(value));
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw invalid(field + " must be a positive integer, got " + Quoting.quote(value));
    }

    private static boolean bool(String value) {
        if (value == null || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw invalid("credentials.strictHostKeyChecking must be true or false, got " + Quoting.quote(value));
    }

    static InvalidInputException invalid(String message) {
        return new InvalidInputException(CredentialRef.INVALID, message);
    }
}
