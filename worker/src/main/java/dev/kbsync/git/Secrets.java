package dev.kbsync.git;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** Masks credentials in any text before it is logged, thrown or returned. */
public final class Secrets {
    private static final String MASK = "***";
    private static final int MIN_SECRET_LENGTH = 4;
    private static final int MIN_CONTAINED_LENGTH = 12;
    /**
     * The password of a URL's user info ({@code scheme://user:password@host}). It starts at the literal {@code ://} and
     * never backtracks (possessive runs), so it costs linear time on any text: a scheme-first pattern tried every start
     * of a long run of letters against every length.
     */
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@\\s]++):[^@\\s/]++@");

    private static final Pattern TOKEN_PARAM = Pattern.compile("(?i)((?:access_)?token=)[^&\\s\"']+");
    private static final Set<String> REGISTERED = ConcurrentHashMap.newKeySet();

    private Secrets() {}

    /** Remembers a secret value so that {@link #mask} removes it from every string. */
    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
            REGISTERED.add(secret);
        }
    }

    /**
     * Whether {@code value} holds a registered secret (a variable whose value it is must not be handed on): it is one,
     * or contains one of at least {@value #MIN_CONTAINED_LENGTH} characters (a short URL password such as "git1" may
     * stand in PATH by chance).
     */
    public static boolean holdsSecret(String value) {
        if (value == null || value.length() < MIN_SECRET_LENGTH) {
            return false;
        }
        for (String secret : REGISTERED) {
            if (value.equals(secret) || (secret.length() >= MIN_CONTAINED_LENGTH && value.contains(secret))) {
                return true;
            }
        }
        return false;
    }

    /** Stops masking a secret that was replaced and can no longer be used (an expired installation token). */
    public static void forget(String secret) {
        REGISTERED.remove(secret);
    }

    /** Returns {@code text} with URL passwords, {@code token=} parameters and registered secrets replaced by ***. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
        masked = TOKEN_PARAM.matcher(masked).replaceAll("$1" + MASK);
        for (String secret : REGISTERED) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }
}
