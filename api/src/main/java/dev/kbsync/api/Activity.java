package dev.kbsync.api;

/**
 * What a lease's holder says it is doing ("running the agent"), sent with its heartbeats: one line of at most
 * {@value #MAX_LENGTH} characters without control characters (C0, DEL or C1) or unpaired surrogates.
 */
public final class Activity {
    /** The longest a heartbeat's {@code doing} may be, in UTF-16 characters. */
    public static final int MAX_LENGTH = 200;

    private Activity() {}

    /** Whether the coordinator takes {@code doing} as it is. */
    public static boolean valid(String doing) {
        return doing.length() <= MAX_LENGTH && doing.equals(clean(doing));
    }

    /**
     * {@code doing} as the coordinator takes it: each control character and unpaired surrogate a space, cut to
     * {@value #MAX_LENGTH} characters (never between a surrogate pair).
     */
    public static String clean(String doing) {
        StringBuilder out = new StringBuilder(Math.min(doing.length(), MAX_LENGTH));
        int i = 0;
        while (i < doing.length()) {
            int cp = doing.codePointAt(i);
            int width = Character.charCount(cp);
            boolean bad = Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE;
            if (out.length() + (bad ? 1 : width) > MAX_LENGTH) {
                break;
            }
            if (bad) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
            i += width;
        }
        return out.toString();
    }
}
