"""kbsync: a client of the kbsync HTTP API for Python bots (standard library only).

>>> from kbsync import Client
>>> kb = Client("http://127.0.0.1:8080", token="client-token-0000001")
>>> job = kb.submit_note("demo", "alice", "Standup moved to 9:30", title="Standup", idempotency_key="chat-4711")
>>> kb.wait(job.id, timeout=120).commit
"""

from .client import Client, Held, JobEvents, Subscription
from .errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    KbsyncError,
    LeaseLost,
    NotFound,
    NotKbsync,
    RateLimited,
    Rejected,
    ServerError,
    ServiceUnavailable,
    TimedOut,
    Unauthenticated,
    Unavailable,
    Unreachable,
)
from .models import FileContent, Job, JobEvent, JobPage, JobReceipt, Lease, Log, LogEntry, TokenInfo, Tree, TreeEntry

__all__ = [
    "Client",
    "JobEvents",
    "Subscription",
    "Held",
    "Lease",
    "Job",
    "JobEvent",
    "JobPage",
    "JobReceipt",
    "FileContent",
    "Tree",
    "TreeEntry",
    "Log",
    "LogEntry",
    "TokenInfo",
    "KbsyncError",
    "Rejected",
    "Unavailable",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "NotKbsync",
    "LeaseLost",
    "Conflict",
    "RateLimited",
    "InvalidRequest",
    "ServiceUnavailable",
    "ServerError",
    "Unreachable",
    "TimedOut",
]
__version__ = "0.1.0"
