package dev.kbsync.worker.apply;

import dev.kbsync.api.JobOutcome;
import dev.kbsync.git.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's answer: its stdout from the start, at most {@link JobOutcome#MAX_RESULT_CHARS} characters (longer output
 * is cut and marked), control characters and terminal escapes removed (newlines and tabs kept), secrets masked (before
 * the cut, so that no part of a secret across it remains). Empty
 * output is no answer (null).
 */
final class AgentAnswer {
    static final String CUT = "\n[output truncated]";

    private AgentAnswer() {}

    static String read(Path stdout) {
        if (!Files.exists(stdout)) {
            return null;
        }
        int max = JobOutcome.MAX_RESULT_CHARS - CUT.length();
        byte[] head;
        boolean longer;
        try (InputStream in = Files.newInputStream(stdout)) {
            head = in.readNBytes(max * 4);
            longer = in.read() >= 0;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the agent's output", e);
        }
        return of(decode(head), longer);
    }

    /** {@code text} cleaned, capped and masked; {@code longer}: there was more after it. */
    static String of(String text, boolean longer) {
        String clean = Secrets.mask(text.replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "")
                .replaceAll("[\\p{Cntrl}&&[^\n\t]]", "")
                .strip()); // masked before the cut: a secret cut in two would not match
        int max = JobOutcome.MAX_RESULT_CHARS - CUT.length();
        if (clean.length() > max) {
            clean = clean.substring(0, Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max);
            longer = true;
        }
        if (clean.isEmpty()) {
            return null;
        }
        return longer ? clean + CUT : clean;
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
