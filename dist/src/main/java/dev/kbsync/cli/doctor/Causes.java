package dev.kbsync.cli.doctor;

/** The innermost cause's message: what a failure was really about (Redisson and JGit wrap it several times). */
final class Causes {
    private Causes() {}

    static String root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
