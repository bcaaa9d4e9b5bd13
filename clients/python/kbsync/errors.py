"""Typed exceptions for the kbsync HTTP API's error answers (docs/api.md, "Errors").

Every exception is a :class:`KbsyncError` with ``status`` (0 without an answer), ``code`` (the API's error code,
e.g. ``RATE_LIMITED``) and ``message``. They come in two families, as in the Java client:
:class:`Rejected` (the coordinator answered 4xx: fix the request) and :class:`Unavailable` (no usable answer:
retrying later may work).
"""

from __future__ import annotations

from typing import Optional


class KbsyncError(Exception):
    """Base class of every error the client raises."""

    def __init__(self, status: int, code: str, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(f"{status} {code}: {message}" if status else f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        #: seconds from the ``Retry-After`` header, when the coordinator (or a proxy) sent one: its seconds (a fraction
        #: too), or the time until its HTTP date (0 once it passed); at most an hour
        self.retry_after = retry_after


class Rejected(KbsyncError):
    """The coordinator answered 4xx: the request is wrong or not allowed; retrying it unchanged will not help."""


class Unavailable(KbsyncError):
    """No usable answer (5xx, no connection, timeout): retrying later may work."""


class Unauthenticated(Rejected):
    """401: no token, or an unknown one."""


class Forbidden(Rejected):
    """403: the token's role or scope (``FORBIDDEN``, ``SCOPE_KB``, ``SCOPE_USER``) does not allow the call."""


class NotFound(Rejected):
    """404: ``KB_NOT_FOUND``, ``JOB_NOT_FOUND``, ``FILE_NOT_FOUND``, ``COMMIT_NOT_FOUND``, ``NOT_FOUND``, ..."""


class LeaseLost(Rejected):
    """409 ``LEASE_LOST``: the lease is no longer granted to the caller."""


class Conflict(Rejected):
    """Any other 409 (``JOB_ENDED``, ``JOB_RUNNING``, ``IDEMPOTENCY_MISMATCH``, ...)."""


class RateLimited(Rejected):
    """429 (``RATE_LIMITED``, ``KB_RATE_LIMITED``, ``TOKEN_QUOTA_EXCEEDED``): wait ``retry_after`` seconds."""


class InvalidRequest(Rejected):
    """Any other 4xx (``INVALID_PATH``, ``TEXT_TOO_LONG``, ...): ``code`` says what is wrong."""


class ServiceUnavailable(Unavailable):
    """503 (``REDIS_UNAVAILABLE``, ``REPLICATION_TIMEOUT``, ``SNAPSHOT_BEHIND``, ...): retry after ``retry_after``."""


class ServerError(Unavailable):
    """500 and other 5xx: retry later; the coordinator logged the reference in the message."""


class Unreachable(Unavailable):
    """No connection to the coordinator (refused, reset, closed, TLS failure): code ``UNREACHABLE``."""


class TimedOut(Unavailable):
    """No answer within the call's timeout, or the job did not finish within the wait asked for: code ``TIMEOUT``."""


class NotKbsync(KbsyncError):
    """An answer that is not a kbsync coordinator's: an error page of another server (a wrong URL or path prefix, or a
    proxy that refused the request), an answer below 400 that is not kbsync's JSON (a proxy's HTML page, a
    redirect, an event stream's request answered with something else), or a 2xx JSON answer or stream event that lacks
    the fields of kbsync's (an empty ``200``, ``{}``), code ``NOT_KBSYNC``; ``status`` 0, the message names the URL and
    the status. Not retried: the server may have acted on the request."""


def from_answer(status: int, code: Optional[str], message: Optional[str], retry_after: Optional[float]) -> KbsyncError:
    """The typed exception for an error answer of the coordinator."""
    code = code or ("HTTP_" + str(status))
    message = message or ""
    if status == 401:
        return Unauthenticated(status, code, message, retry_after)
    if status == 403:
        return Forbidden(status, code, message, retry_after)
    if status == 404:
        return NotFound(status, code, message, retry_after)
    if status == 409:
        cls = LeaseLost if code == "LEASE_LOST" else Conflict
        return cls(status, code, message, retry_after)
    if status == 429:
        return RateLimited(status, code, message, retry_after)
    if 400 <= status < 500:
        return InvalidRequest(status, code, message, retry_after)
    if status == 503:
        return ServiceUnavailable(status, code, message, retry_after)
    return ServerError(status, code, message, retry_after)
