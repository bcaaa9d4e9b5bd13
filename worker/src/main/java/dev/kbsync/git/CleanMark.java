package dev.kbsync.git;

/**
 * What a checkout looked like when its caller last knew it to be clean (index and work tree equal to HEAD): HEAD on
 * the branch at {@code head}, and the index file as identified by {@code index} (size, modification time, file key).
 * Taken with {@link KbRepository#markClean()} right after the publish cycle's own commits (pushed, or rejected), handed
 * back to {@link KbRepository#resetToRemote(CleanMark, boolean)}.
 */
public record CleanMark(String head, String index) {}
