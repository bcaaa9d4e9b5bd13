package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;

/** A protocol-level rejection (400, 404, 405, 413, 414, 415, 417, 431, 503) with its error code. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    HttpError(int status, String code, String message) {
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

    /** The JSON error for a bare status code that Vert.x Web produced (no route, wrong method, body limit). */
    static HttpError forStatus(int status) {
        return switch (status) {
            case 404 -> new HttpError(404, "NOT_FOUND", "no such endpoint");
            case 408 ->
                new HttpError(
                        408,
                        ErrorCodes.REQUEST_TIMEOUT,
                        "the whole request did not arrive within http.requestReadSeconds; send it again");
            case 405 -> new HttpError(405, "METHOD_NOT_ALLOWED", "this endpoint does not accept that method");
            case 413 -> new HttpError(413, "BODY_TOO_LARGE", "the request body is larger than the limit");
            case 415 -> new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
            case 400 -> new HttpError(400, "BAD_REQUEST", "the request could not be read");
            case 417 -> new HttpError(417, "EXPECTATION_FAILED", "the only expectation served is 100-continue");
            case 414 -> new HttpError(414, "URI_TOO_LONG", "the request line is longer than the limit (4096 bytes)");
            case 431 ->
                new HttpError(431, "HEADERS_TOO_LARGE", "the request headers are larger than the limit (8192 bytes)");
            default ->
                status >= 400 && status < 500
                        ? new HttpError(status, "BAD_REQUEST", "the request could not be read")
                        : null;
        };
    }
}
