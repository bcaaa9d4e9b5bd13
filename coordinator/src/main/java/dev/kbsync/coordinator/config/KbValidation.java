package dev.kbsync.coordinator.config;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.UnicodeForm;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a KB registration: the remote is an https/ssh/git@ URL, a file:///absolute/path URL or an absolute path (else
 * 400 INVALID_REMOTE) without credentials (400 CREDENTIALS_IN_URL: user info, but for an ssh:// user name, or a
 * parameter named as a credential, however cased or percent-encoded; the message never repeats them), the branch a
 * valid git ref name (400 INVALID_BRANCH), the note path template one the path guard accepts (400 INVALID_NOTE_PATH;
 * absent: the default), a credential reference one that fits the remote (a token for https, never plain http; a key
 * for ssh; 400 INVALID_CREDENTIALS).
 */
public final class KbValidation {
    private static final Pattern URL = Pattern.compile("(https|http|ssh|git|file)://([^/?#]*)(.*)");
    /** {@code user@host:path}; neither user nor host may start with '-' (an ssh option, were it passed on). */
    private static final Pattern SCP =
            Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9.][A-Za-z0-9.-]*:[^\\s]+");

    private static final Pattern BAD_REF_CHARS = Pattern.compile("[\\x00-\\x20\\x7f~^:?*\\[\\\\]");
    private static final Pattern PORT = Pattern.compile(":(\\d+)$");
    private static final int MAX_REMOTE = 1000;
    private static final Pattern ESCAPE = Pattern.compile("%([0-9A-Fa-f]{2})");
    private static final Pattern NOT_ALNUM = Pattern.compile("[^a-z0-9]");
    /** Parameter names (lower-cased, letters and digits only: {@code API-Key} is {@code apikey}) of a credential... */
    private static final Set<String> SECRET_NAMES =
            Set.of("key", "pass", "pwd", "auth", "authorization", "bearer", "jwt", "sig", "credential", "credentials");
    /** ... or as part of a longer name ({@code private_token}, {@code client_secret}, {@code x-api-key}). */
    private static final List<String> SECRET_NAME_PARTS = List.of(
            "token", "password", "passwd", "passphrase", "secret", "apikey", "accesskey", "privatekey", "signature");

    private static final String NAME_THEM =
            "name the KB's credentials instead (a variable, a secret file, a GitHub App, an SSH key)";

    private KbValidation() {}

    /** A validated registration, or {@link InvalidInputException} naming what is wrong. */
    public static KbConfig kb(
            String id, String remote, String branch, String notePath, Optional<CredentialRef> credentials) {
        return kb(id, remote, branch, notePath, credentials, 0);
    }

    /** {@link #kb(String, String, String, String, Optional)} with a duplicate window (seconds, 0: off). */
    public static KbConfig kb(
            String id,
            String remote,
            String branch,
            String notePath,
            Optional<CredentialRef> credentials,
            long dedupeWindowSeconds) {
        String checked = remote(remote);
        credentials.ifPresent(c -> fits(c, checked));
        if (dedupeWindowSeconds < 0 || dedupeWindowSeconds > KbConfig.MAX_DEDUPE_WINDOW_SECONDS) {
            throw new InvalidInputException(
                    "INVALID_DEDUPE_WINDOW",
                    "dedupeWindowSeconds must be 0 (off) to " + KbConfig.MAX_DEDUPE_WINDOW_SECONDS + ", got "
                            + dedupeWindowSeconds);
        }
        return new KbConfig(
                KbId.of(id), checked, branch(branch), NotePathTemplate.orDefault(notePath), credentials, (int)
                        dedupeWindowSeconds);
    }

    private static void fits(CredentialRef credentials, String remote) {
        var url = URL.matcher(remote);
        String scheme = url.matches() ? url.group(1) : SCP.matcher(remote).matches() ? "ssh" : "file";
        boolean https = scheme.equals("https"); // never plain http: the token would travel in clear text
        if (scheme.equals("ssh") ? credentials.http() : !(https && credentials.http())) {
            throw new InvalidInputException(
                    CredentialRef.INVALID,
                    credentials.http()
                            ? "env, file and githubApp credentials need an https:// remote (never plain http://)"
                            : "an sshKey credential needs an ssh:// or git@host:path remote");
        }
    }

    /**
     * Whether a validated remote is on the machine that uses it (an absolute path or a {@code file://} URL): any
     * repository on the coordinator's and workers' hosts, so only an unscoped admin registers one.
     */
    public static boolean local(String remote) {
        return remote.startsWith("/") || remote.startsWith("file://");
    }

    static String remote(String remote) {
        if (remote == null
                || remote.isBlank()
                || remote.length() > MAX_REMOTE
                || remote.chars().anyMatch(c -> c < 0x20)
                || UnicodeForm.hasLoneSurrogate(remote)) { // stored, it would be a '?': checked is not what is kept
            throw invalidRemote();
        }
        var url = URL.matcher(remote);
        if (url.matches()) {
            String authority = url.group(2);
            String userInfo = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : "";
            boolean secret = url.group(1).equals("ssh") ? decoded(userInfo).contains(":") : !userInfo.isEmpty();
            if (secret) {
                throw new InvalidInputException(
                        "CREDENTIALS_IN_URL",
                        "remote must not carry credentials (" + url.group(1) + "://***@...); " + NAME_THEM);
            }
            if (secretParameter(authority + url.group(3))) {
                throw new InvalidInputException(
                        "CREDENTIALS_IN_URL",
                        "remote must not carry credentials (a token, password, secret or key parameter); " + NAME_THEM);
            }
            if (authority.isEmpty() && !url.group(1).equals("file")) {
                throw invalidRemote();
            }
            if (url.group(1).equals("file")
                    && !(authority.isEmpty() && url.group(3).startsWith("/"))) {
                // git reads file://relative as no path at all, JGit (workers, reads) file://host/path as no repository
                throw new InvalidInputException(
                        "INVALID_REMOTE",
                        "a file:// remote names an absolute path and no host: file:///srv/git/kb.git, not "
                                + Quoting.quote(remote));
            }
            if (authority.substring(authority.lastIndexOf('@') + 1).startsWith("-") || userInfo.startsWith("-")) {
                // a host or user like -oProxyCommand=... is an option to an ssh client handed it (git refuses it too)
                throw new InvalidInputException("INVALID_REMOTE", "remote's host and user must not start with '-'");
            }
            if (url.group(3)
                    .contains("#")) { // git's transports would fetch another URL: the fragment is not the branch
                throw new InvalidInputException(
                        "INVALID_REMOTE", "remote must not carry a #fragment; give the branch as \"branch\"");
            }
            if (!authority.isEmpty() && !parses(remote)) {
                throw invalidRemote();
            }
            return remote;
        }
        if (SCP.matcher(remote).matches() || remote.startsWith("/")) {
            return remote;
        }
        throw invalidRemote();
    }

    /**
     * Whether a URL's {@code authority/path?query} (its fragment cut off) has a parameter whose name is a credential's:
     * in the query ({@code &} or {@code ;} separated) or a segment's {@code ;name=value}. Names are compared
     * percent-decoded, case-insensitively and by their letters and digits only.
     */
    private static boolean secretParameter(String rest) {
        int hash = rest.indexOf('#');
        String url = hash < 0 ? rest : rest.substring(0, hash);
        int question = url.indexOf('?');
        String path = question < 0 ? url : url.substring(0, question);
        List<String> parameters = new ArrayList<>();
        if (question >= 0) {
            parameters.addAll(List.of(url.substring(question + 1).split("[&;]")));
        }
        for (String segment : path.split("/")) {
            List<String> parts = List.of(segment.split(";"));
            parameters.addAll(parts.subList(Math.min(1, parts.size()), parts.size()));
        }
        for (String parameter : parameters) {
            String decoded = decoded(parameter);
            int equals = decoded.indexOf('=');
            if (equals >= 0 && secretName(decoded.substring(0, equals))) {
                return true;
            }
        }
        return false;
    }

    private static boolean secretName(String name) {
        String normalized = NOT_ALNUM.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("");
        return SECRET_NAMES.contains(normalized) || SECRET_NAME_PARTS.stream().anyMatch(normalized::contains);
    }

    /**
     * {@code value} with its {@code %XX} escapes of ASCII characters decoded, again until none is left (a server that
     * decodes twice): enough to tell a parameter's name, without failing on a malformed escape.
     */
    private static String decoded(String value) {
        String current = value;
        for (int round = 0; round < 5; round++) {
            String next = ESCAPE.matcher(current).replaceAll(m -> {
                int c = Integer.parseInt(m.group(1), 16);
                return c < 0x80
                        ? Matcher.quoteReplacement(String.valueOf((char) c))
                        : Matcher.quoteReplacement(m.group());
            });
            if (next.equals(current)) {
                return current;
            }
            current = next;
        }
        return current;
    }

    /** Whether a URL's authority is one git can use: not {@code [::1}, a space, or a port over 65535. */
    private static boolean parses(String remote) {
        try {
            String authority = new URI(remote).getRawAuthority();
            var port = PORT.matcher(authority == null ? "" : authority);
            return !port.find() || port.group(1).length() <= 5 && Integer.parseInt(port.group(1)) <= 65_535;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    static String branch(String branch) {
        if (branch == null
                || branch.isEmpty()
                || branch.equals("HEAD") // not a branch name, though a valid ref
                || branch.startsWith("refs/") // the branch's name, not its ref: refs/heads/<name> is made of it
                || branch.length() > 200
                || UnicodeForm.hasLoneSurrogate(branch)
                || branch.equals("@")
                || BAD_REF_CHARS.matcher(branch).find()
                || branch.contains("..")
                || branch.contains("@{")
                || branch.contains("//")
                || branch.startsWith("/")
                || branch.endsWith("/")
                || branch.endsWith(".")
                || branch.startsWith("-")
                || branch.endsWith(".lock")
                || branch.contains("/.")
                || branch.startsWith(".")
                || branch.contains(".lock/")) {
            throw new InvalidInputException(
                    "INVALID_BRANCH", "branch must be a valid git branch name, got " + Quoting.quote(branch));
        }
        return branch;
    }

    private static InvalidInputException invalidRemote() {
        return new InvalidInputException(
                "INVALID_REMOTE",
                "remote must be an https://, http://, ssh://, git://, git@host:path or file:// URL, or an absolute path");
    }
}
