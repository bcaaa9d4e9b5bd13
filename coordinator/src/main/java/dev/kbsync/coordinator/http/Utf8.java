package dev.kbsync.coordinator.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Strict UTF-8: bytes that are not UTF-8 (an overlong form, a surrogate, a cut sequence) are no text at all. */
final class Utf8 {
    private Utf8() {}

    /** {@code data} as text, or empty unless it is UTF-8. */
    static Optional<String> decode(byte[] data) {
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
