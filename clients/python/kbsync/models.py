"""The API's records as small read-only dataclasses; each keeps the JSON it was made from in ``raw``.

``from_json`` raises ``KeyError``, ``TypeError`` or ``ValueError`` for JSON that lacks a record's fields; the client
raises :class:`kbsync.errors.NotKbsync` for such an answer."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

FINISHED_STATES = frozenset({"done", "failed", "cancelled"})


def _state(value: Any) -> str:
    """A job's state as the API sends it: a non-empty string (anything else is not kbsync's answer)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"a job's state is a non-empty string, not {value!r}")
    return value


@dataclass(frozen=True)
class Job:
    """A job (``GET /v1/jobs/{id}``): what was asked, where it is in the queue, and its result once finished;
    ``retry_of``: the id of the failed or cancelled job it submits again (``POST /v1/jobs/{id}/retry``), else None;
    ``retry_chain``: that job, then the job it retried in turn, and so on (nearest first, at most 32; empty for a job
    submitted otherwise);
    ``restored_from``: the ids of a degraded coordinator's jobs restored onto this one (they carried its request and
    answer it now; empty for every other job);
    ``doing``: while it runs, what its worker's last heartbeat said it is doing (``writing the note``, ``waiting for
    <remote> to answer: ...``), else None."""

    id: str
    kb: str
    kind: str
    user: str
    state: str
    ahead: int
    eta_ms: Optional[int]
    commit: Optional[str]
    commit_url: Optional[str]
    files: List[Dict[str, Any]]
    error: Optional[Dict[str, str]]
    attempts: int
    retry_of: Optional[str]
    doing: Optional[str]
    retry_chain: List[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    restored_from: List[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """True once the job is done, failed or cancelled (its state does not change any more)."""
        return self.state in FINISHED_STATES

    @property
    def error_code(self) -> Optional[str]:
        """The code of a failed job's error (``PUSH_REJECTED``, ``CONFLICT``, ``LEASE_EXPIRED``, ...)."""
        return self.error.get("code") if self.error else None

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "Job":
        return Job(
            id=data["id"],
            kb=data.get("kb", ""),
            kind=data.get("kind", ""),
            user=data.get("user", ""),
            state=_state(data["state"]),  # required: a job without one would be waited for until the timeout
            ahead=int(data.get("ahead") or 0),
            eta_ms=data.get("etaMs"),
            commit=data.get("commit"),
            commit_url=data.get("commitUrl"),
            files=list(data.get("files") or []),
            error=data.get("error"),
            attempts=int(data.get("attempts") or 0),
            retry_of=data.get("retryOf"),
            doing=data.get("doing"),
            retry_chain=list(data.get("retryChain") or ([data["retryOf"]] if data.get("retryOf") else [])),
            raw=data,
            restored_from=list(data.get("restoredFrom") or []),
        )


@dataclass(frozen=True)
class JobReceipt:
    """The short answer to a submission (``Prefer: return=minimal``): the job's id and place in the queue."""

    id: str
    kb: str
    state: str
    ahead: int
    eta_ms: Optional[int]
    eta_p90_ms: Optional[int]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "JobReceipt":
        return JobReceipt(
            id=data["id"],
            kb=data.get("kb", ""),
            state=data.get("state", ""),
            ahead=int(data.get("ahead") or 0),
            eta_ms=data.get("etaMs"),
            eta_p90_ms=data.get("etaP90Ms"),
            raw=data,
        )


@dataclass(frozen=True)
class JobEvent:
    """One event of a job's stream: ``name`` is ``state``, ``position`` or ``doing`` (what the running job's worker
    says it is doing changed: ``job.doing``); ``last`` when the stream ends after it."""

    name: str
    job: Job

    @property
    def last(self) -> bool:
        return self.name == "state" and self.job.finished


@dataclass(frozen=True)
class JobPage:
    """A page of the job list, newest first; ``next_cursor`` asks for the next page (None: this was the last)."""

    jobs: List[Job]
    next_cursor: Optional[str]

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "JobPage":
        return JobPage([Job.from_json(j) for j in data.get("jobs") or []], data.get("nextCursor"))


@dataclass(frozen=True)
class FileContent:
    """A file read from a KB's snapshot (``GET /v1/kbs/{kb}/files/{path}``) at ``commit``."""

    kb: str
    path: str
    commit: str
    blob_id: str
    size: int
    data: bytes
    etag: Optional[str]

    @property
    def text(self) -> str:
        """The content decoded as UTF-8."""
        return self.data.decode("utf-8")

    @staticmethod
    def from_json(data: Dict[str, Any], etag: Optional[str] = None) -> "FileContent":
        content = data.get("content") or ""
        raw = base64.b64decode(content) if data.get("encoding") == "base64" else content.encode("utf-8")
        return FileContent(data["kb"], data["path"], data["commit"], data["blobId"], int(data["size"]), raw, etag)


@dataclass(frozen=True)
class TreeEntry:
    """A file of a KB's tree: its path, size in bytes and git blob id."""

    path: str
    size: int
    blob_id: str


@dataclass(frozen=True)
class Tree:
    """The files of a KB under ``prefix`` at ``commit`` (``GET /v1/kbs/{kb}/tree``)."""

    kb: str
    commit: str
    entries: List[TreeEntry]
    truncated: bool

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "Tree":
        entries = [TreeEntry(e["path"], int(e["size"]), e["blobId"]) for e in data.get("entries") or []]
        return Tree(data["kb"], data["commit"], entries, bool(data.get("truncated")))


@dataclass(frozen=True)
class LogEntry:
    """A commit of a KB's history with its ``Kbsync-Job`` / ``Kbsync-Fence`` trailers (None when absent)."""

    id: str
    subject: str
    author: str
    time: str
    job: Optional[str]
    fence: Optional[int]


@dataclass(frozen=True)
class Log:
    """Recent commits of a KB, newest first, read at ``commit`` (``GET /v1/kbs/{kb}/log``)."""

    kb: str
    commit: str
    commits: List[LogEntry]

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "Log":
        commits = [
            LogEntry(
                c["id"], c.get("subject", ""), c.get("author", ""), c.get("time", ""), c.get("job"), c.get("fence")
            )
            for c in data.get("commits") or []
        ]
        return Log(data["kb"], data["commit"], commits)


@dataclass(frozen=True)
class TokenInfo:
    """The client's token as the coordinator sees it (``GET /v1/whoami``): its name, role (``client``, ``worker``,
    ``admin``), the KBs and users it acts on (names and prefixes ending in ``*``; ``["*"]``: every one) and its quota
    of submissions per rate-limit window (0: none)."""

    name: str
    role: str
    kbs: List[str]
    users: List[str]
    quota: int

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "TokenInfo":
        return TokenInfo(data["name"], data["role"], list(data["kbs"]), list(data["users"]), int(data.get("quota", 0)))


@dataclass(frozen=True)
class Lease:
    """A raw lease (``GET /v1/leases/{id}``): a holder's place in a KB's queue, then its grant. Fence your writes with
    ``fencing_token`` (it strictly increases per KB); ``expires_at`` is when the grant lapses unless heartbeaten,
    ``deadline_at`` its hard end."""

    id: str
    kb: str
    holder: str
    state: str
    ahead: int
    fencing_token: Optional[int]
    expires_at: Optional[str]
    deadline_at: Optional[str]
    ttl_ms: int
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @property
    def granted(self) -> bool:
        """True while the lease holds the KB (``state`` is ``granted``)."""
        return self.state == "granted"

    @staticmethod
    def from_json(data: Dict[str, Any]) -> "Lease":
        return Lease(
            id=data["id"],
            kb=data.get("kb", ""),
            holder=data.get("holder", ""),
            state=data.get("state", ""),
            ahead=int(data.get("ahead") or 0),
            fencing_token=data.get("fencingToken"),
            expires_at=data.get("expiresAt"),
            deadline_at=data.get("deadlineAt"),
            ttl_ms=int(data.get("ttlMs") or 0),
            raw=data,
        )
