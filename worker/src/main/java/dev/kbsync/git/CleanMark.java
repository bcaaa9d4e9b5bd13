package dev.kbsync.git;

/**
 * What a checkout looked like when its caller last knew it to be clean: HEAD on the branch, branch and origin/branch
 * at {@code head}, and the index file as identified by {@code index} (size, modification time, file key). Taken with
 * {@link KbRepository#markClean()} right after a successful push, handed back to {@link KbRepository#resume}.
 */
public record CleanMark(String head, String index) {}
