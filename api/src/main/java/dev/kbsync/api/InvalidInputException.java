package dev.kbsync.api;

/** Input that cannot be accepted; {@code code} is the machine-readable error code returned to clients (HTTP 400). */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public InvalidInputException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
