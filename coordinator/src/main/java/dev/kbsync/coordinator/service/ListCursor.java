package dev.kbsync.coordinator.service;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A job list's {@code cursor} as the API gives it out: a position in the clear ({@link JobCursor}), or one sealed
 * ({@link Sealed}) because the caller may not see the job there; only the engine opens a sealed one.
 */
public sealed interface ListCursor permits JobCursor, ListCursor.Sealed {
    /** The opaque {@code nextCursor} text. */
    String encode();

    /** Fails with INVALID_CURSOR for anything {@link #encode} did not make. */
    static ListCursor decode(String cursor) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            if (bytes.length > Sealed.FORM.length
                    && Arrays.equals(bytes, 0, Sealed.FORM.length, Sealed.FORM, 0, Sealed.FORM.length)) {
                return new Sealed(Arrays.copyOfRange(bytes, Sealed.FORM.length, bytes.length));
            }
        } catch (IllegalArgumentException e) {
            // not base64url: JobCursor refuses it
        }
        return JobCursor.decode(cursor);
    }

    /** A position encrypted by the engine ({@code box}: what it made), as base64url of {@code v2:} and the box. */
    record Sealed(byte[] box) implements ListCursor {
        private static final byte[] FORM = "v2:".getBytes(StandardCharsets.US_ASCII);

        public Sealed {
            box = box.clone();
        }

        @Override
        public byte[] box() {
            return box.clone();
        }

        @Override
        public String encode() {
            byte[] bytes = Arrays.copyOf(FORM, FORM.length + box.length);
            System.arraycopy(box, 0, bytes, FORM.length, box.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }
}
