package dev.kbsync.cli;

/** The coordinator answered with an error ({@code status} 4xx/5xx) or could not be reached ({@code status} 0). */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** 3 when unreachable, 4 for a rejected request, 5 for a server error. */
    int exitCode() {
        return status == 0 ? ExitCodes.UNREACHABLE : status < 500 ? ExitCodes.REJECTED : ExitCodes.SERVER_ERROR;
    }
}
