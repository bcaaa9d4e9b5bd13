package dev.kbsync.coordinator.config;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.Quoting;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a KB registration: the remote is an https/ssh/git@/file URL or an absolute path without credentials (400
 * CREDENTIALS_IN_URL; the message never repeats them), the branch a valid git ref name (400 INVALID_BRANCH), the note
 * path template one the path guard accepts (400 INVALID_NOTE_PATH; absent: the default), a credential reference one
 * that fits the remote (a token for https, a key for ssh; 400 INVALID_CREDENTIALS).
 */
public final class KbValidation {
    private static final Pattern URL = Pattern.compile("(https|http|ssh|git|file)://([^/?#]*)(.*)");
    private static final Pattern SCP = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s]+");
    private static final Pattern BAD_REF_CHARS = Pattern.compile("[\\x00-\\x20\\x7f~^:?*\\[\\\\]");
    private static final Pattern PORT = Pattern.compile(":(\\d+)$");
    private static final int MAX_REMOTE = 1000;

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
        boolean http = scheme.startsWith("http");
        if (scheme.equals("ssh") ? credentials.http() : !(http && credentials.http())) {
            throw new InvalidInputException(
                    CredentialRef.INVALID,
                    credentials.http()
                            ? "env, file and githubApp credentials need an https:// remote"
                            : "an sshKey credential needs an ssh:// or git@host:path remote");
        }
    }

    static String remote(String remote) {
        if (remote == null
                || remote.isBlank()
                || remote.length() > MAX_REMOTE
                || remote.chars().anyMatch(c -> c < 0x20)) {
            throw invalidRemote();
        }
        var url = URL.matcher(remote);
        if (url.matches()) {
            String authority = url.group(2);
            String userInfo = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : "";
            boolean secret = url.group(1).equals("ssh") ? userInfo.contains(":") : !userInfo.isEmpty();
            if (secret || url.group(3).matches(".*[?&](token|access_token|password)=.*")) {
                throw new InvalidInputException(
                        "CREDENTIALS_IN_URL",
                        "remote must not carry credentials (" + url.group(1)
                                + "://***@...); name the KB's credentials instead (a variable, a secret file, a GitHub App, an SSH key)");
            }
            if (authority.isEmpty() && !url.group(1).equals("file")) {
                throw invalidRemote();
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
                "INVALID_REMOTE", "remote must be an https://, ssh://, git@host:path, file:// URL or an absolute path");
    }
}
