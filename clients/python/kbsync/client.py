"""The kbsync HTTP API client (docs/api.md), standard library only."""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import http.client
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Union

from . import errors
from .models import FileContent, Job, JobEvent, JobPage, JobReceipt, Lease, Log, LogEntry, TokenInfo, Tree, TreeEntry
from .sse import read_events

_USER_AGENT = "kbsync-python/0.1"
_WAIT_SEGMENT = 10.0  # wait() reads the job again at least this often (seconds)
#: seconds before a job read or stream answered 503 without Retry-After is tried again, and the shortest such pause
_STREAM_RETRY = 1.0
_STREAM_RETRY_FLOOR = 0.1
_RETURN_MINIMAL = {"Prefer": "return=minimal"}
#: 503 codes about one job or KB on the coordinator that answered, not about the coordinator: a job still in its
#: degraded journal (only it knows the job yet), its snapshot of a KB. Retried there; the client does not move for them
_STAYS = frozenset({"JOB_RESTORING", "SNAPSHOT_BEHIND", "SNAPSHOT_UNAVAILABLE"})


class _Endpoint:
    """One coordinator's base URL, parsed."""

    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"url must be http(s)://host[:port][/prefix], got {url!r}")
        self.url = url
        self.https = parsed.scheme == "https"
        self.host = parsed.hostname
        self.port = parsed.port or (443 if self.https else 80)
        self.prefix = parsed.path.rstrip("/")
        self.ssl: Optional[ssl.SSLContext] = None  # the client's, for https

    def connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.ssl)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


class Client:
    """A client of the coordinators with one token. Thread-safe: every call opens its own connection.

    ``url``: the coordinator's base URL (``http://127.0.0.1:8080``, ``https://host/kbsync/``), or several (a list, or
    one string, comma-separated) in order of preference, sharing one Redis: the first is used while it answers, the
    next while it does not (as the Java client does, docs/operations.md "Coordinator failover"): a call that could
    not connect, or that was answered ``503`` and may be sent again (a read, a submit with its ``idempotency_key``, a
    lease call), is tried on the next one at once; other failures are raised, and the next call goes to the next
    coordinator, except a timeout of a call given less than ``timeout`` by its caller (a heartbeat near its lease's
    lapse, :meth:`wait` near its end), which does not move the client. A 503 about one job or KB on that coordinator
    (``JOB_RESTORING``: a job only its degraded journal knows yet; ``SNAPSHOT_BEHIND``, ``SNAPSHOT_UNAVAILABLE``) is
    raised without moving, to be retried there after its ``Retry-After`` (:meth:`wait` does). While not on the first,
    a preferred one is probed (``GET /readyz``) every ``probe_interval`` seconds on a thread of its own (no call waits
    for it), and taken back once ready. ``token``:
    the bearer token (None: no ``Authorization`` header, for a coordinator with auth off); ``ca_file``: a PEM file of
    the CA that signed the coordinators' certificates (https only; default: the system's trust store); ``timeout``:
    seconds per call (connect and each read).
    ``stream_idle_timeout``: seconds an event stream may hear nothing, not even a keep-alive, before it is taken for
    broken (a peer gone without closing), when its coordinator names no keep-alive period; one that names it
    (``X-Kbsync-Keep-Alive-Seconds``, every 15 s by default: ``http.sseKeepAliveSeconds``) bounds the silence at 2.5
    periods instead, as in the Java client (``withStreamIdleTimeout``).
    """

    def __init__(
        self,
        url: Union[str, Sequence[str]],
        token: Optional[str] = None,
        ca_file: Optional[str] = None,
        timeout: float = 15.0,
        probe_interval: float = 5.0,
        stream_idle_timeout: float = 60.0,
    ) -> None:
        urls = [u.strip() for u in url.split(",")] if isinstance(url, str) else [str(u).strip() for u in url]
        if not urls or not all(urls):
            raise ValueError(f"at least one coordinator url is needed, got {url!r}")
        if len(set(urls)) != len(urls):
            raise ValueError(f"a coordinator url is listed twice: {urls}")
        self._endpoints = [_Endpoint(u) for u in urls]
        if ca_file and not all(e.https for e in self._endpoints):
            raise ValueError("ca_file needs https urls (the token would travel in clear text)")
        if any(e.https for e in self._endpoints):
            context = ssl.create_default_context(cafile=ca_file)
            for e in self._endpoints:
                e.ssl = context
        self._token = token.strip() if token and token.strip() else None
        self._timeout = timeout
        self._probe_interval = probe_interval
        self._stream_idle = stream_idle_timeout
        self._lock = threading.Lock()
        self._current = 0
        self._moves = 0
        self._next_probe = 0.0
        self._probing = False

    @property
    def coordinator(self) -> str:
        """The URL of the coordinator in use."""
        return self._endpoints[self._current].url

    @property
    def coordinators(self) -> "list[str]":
        """Every coordinator's URL, in order of preference."""
        return [e.url for e in self._endpoints]

    @property
    def coordinator_moves(self) -> int:
        """How often the client moved to another coordinator."""
        return self._moves

    # -- jobs -----------------------------------------------------------------------------------------------

    def submit_note(
        self,
        kb: str,
        user: str,
        text: str,
        title: Optional[str] = None,
        path: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Job:
        """``POST /v1/kbs/{kb}/notes``: queues a note; a retry with the same ``idempotency_key`` returns the
        first job. Without ``path`` the KB's note path template places it."""
        body = _note_body(user, text, title, path)
        return self._call("POST", f"/v1/kbs/{_seg(kb)}/notes", body, idempotency_key, decode=Job.from_json)

    def submit_note_minimal(
        self,
        kb: str,
        user: str,
        text: str,
        title: Optional[str] = None,
        path: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> JobReceipt:
        """``submit_note`` asking for the short answer (``Prefer: return=minimal``): the job's id and place in the
        queue, not the whole job with the note's text echoed back; ``job(id)`` has the rest."""
        body = _note_body(user, text, title, path)
        route = f"/v1/kbs/{_seg(kb)}/notes"
        return self._call("POST", route, body, idempotency_key, _RETURN_MINIMAL, decode=JobReceipt.from_json)

    def submit_agent_task(self, kb: str, user: str, task: str, idempotency_key: Optional[str] = None) -> Job:
        """``POST /v1/kbs/{kb}/agent-tasks``: queues an agent task."""
        body = {"user": user, "task": task}
        return self._call("POST", f"/v1/kbs/{_seg(kb)}/agent-tasks", body, idempotency_key, decode=Job.from_json)

    def submit_agent_task_minimal(
        self, kb: str, user: str, task: str, idempotency_key: Optional[str] = None
    ) -> JobReceipt:
        """``submit_agent_task`` with the short answer; see ``submit_note_minimal``."""
        body = {"user": user, "task": task}
        route = f"/v1/kbs/{_seg(kb)}/agent-tasks"
        return self._call("POST", route, body, idempotency_key, _RETURN_MINIMAL, decode=JobReceipt.from_json)

    def job(self, job_id: str) -> Job:
        """``GET /v1/jobs/{id}``: the job now."""
        return self._call("GET", f"/v1/jobs/{_seg(job_id)}", decode=Job.from_json)

    def jobs(
        self,
        kb: Optional[str] = None,
        user: Optional[str] = None,
        state: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> JobPage:
        """``GET /v1/jobs?kb=&user=&state=&limit=&cursor=``: a page of jobs, newest first; pass the page's
        ``next_cursor`` as ``cursor`` for the next one."""
        query = _query(kb=kb, user=user, state=state, limit=limit, cursor=cursor)
        return self._call("GET", "/v1/jobs" + query, decode=JobPage.from_json)

    def cancel(self, job_id: str) -> Job:
        """``DELETE /v1/jobs/{id}``: cancels a job that has not started pushing; the job as it ended."""
        return self._call("DELETE", f"/v1/jobs/{_seg(job_id)}", decode=Job.from_json)

    def delete_kb(self, kb: str) -> None:
        """``DELETE /v1/kbs/{kb}`` (admin token; a scoped one within its scope): removes an idle KB (its registration
        and queue; its finished jobs stay readable for the retention). Raises :class:`errors.NotFound`
        (``KB_NOT_FOUND``) for an unknown KB and :class:`errors.Conflict` (``KB_BUSY``, nothing removed) while its jobs
        are queued or running or its lease is held: cancel them or wait, then call again."""
        self._call("DELETE", f"/v1/kbs/{_seg(kb)}")

    def retry(self, job_id: str) -> Job:
        """``POST /v1/jobs/{id}/retry``: submits a failed or cancelled job again (same KB, user, kind and payload); the
        new job, whose ``retry_of`` is ``job_id``. The same retry repeated answers the same new job; a job that is
        queued, running or done raises :class:`errors.Conflict` (``JOB_NOT_RETRYABLE``)."""
        return self._call("POST", f"/v1/jobs/{_seg(job_id)}/retry", decode=Job.from_json)

    def events(self, job_id: str, timeout: Optional[float] = None) -> "JobEvents":
        """``GET /v1/jobs/{id}/events``: an iterator of the job's events (first its state, then each change),
        ending after the event where the job finished. ``timeout``: seconds of silence (no event and no keep-alive,
        which the coordinator sends every 15 s) after which it raises :class:`errors.TimedOut`; None: 2.5 of the
        coordinator's keep-alive periods (it names its period in ``X-Kbsync-Keep-Alive-Seconds``: 37.5 s by default),
        or the client's ``stream_idle_timeout`` (60 s) when it names none, after which the stream is taken for broken.
        To wait for a job with a deadline use :meth:`wait`. Close it (or use ``with``) to stop early, also from another
        thread: that closes its connection."""
        return self._follow(job_id, timeout, None)

    def _follow(self, job_id: str, timeout: Optional[float], deadline: Optional[float]) -> "JobEvents":
        silence = timeout if timeout is not None else self._stream_idle
        shortened = timeout is not None and timeout < self._timeout - _FULL_TRY_SLACK
        response, conn, sock, url = self._open_stream(f"/v1/jobs/{_seg(job_id)}/events", silence, shortened)
        if timeout is None:  # a coordinator that names its keep-alive period bounds the silence by it, not the client
            period = _keep_alive(response)
            if period is not None:
                sock.settimeout(period * _SILENT_PERIODS)
        return JobEvents(response, conn, deadline, url, sock)

    def follow(
        self,
        job_id: str,
        on_event: Callable[[JobEvent], None],
        on_error: Optional[Callable[[BaseException], None]] = None,
    ) -> "Subscription":
        """Follows a job's events on a background thread, calling ``on_event`` for each; an error (other than
        the subscription being cancelled) goes to ``on_error``, e.g. :class:`errors.TimedOut` when the stream heard
        nothing for ``stream_idle_timeout``. The subscription ends after the last event or an error."""
        return Subscription(lambda: self.events(job_id), on_event, on_error)

    def wait(self, job_id: str, timeout: float) -> Job:
        """Waits until the job finished (done or failed) and returns it; :class:`errors.TimedOut` after
        ``timeout`` seconds, however long the client's per-call ``timeout`` (a coordinator that stops answering
        mid-read ends the wait then too). Follows the job's events, and reads the job again at least every 10 s; a
        read or stream without a usable answer (503, e.g. Redis down or a job still in a degraded coordinator's
        journal; unreachable) is tried again after its ``Retry-After`` (seconds or an HTTP date; 1 s without one, at
        least 0.1 s) while the timeout allows; an answer that is not kbsync's (:class:`errors.NotKbsync`, e.g. a
        ``200`` without the job's fields) ends the wait at once."""
        deadline = time.monotonic() + timeout
        while True:
            try:  # the read too ends by the deadline, however long the client's per-call timeout
                job = self._exchange("GET", f"/v1/jobs/{_seg(job_id)}", None, None, None, deadline, Job.from_json)[1]
            except errors.Unavailable as e:  # e.g. the coordinator's Redis is down: read again after a pause
                _pause(e, deadline)
                continue
            if job.finished:
                return job
            now = time.monotonic()
            if now >= deadline:
                raise errors.TimedOut(0, "TIMEOUT", f"job {job_id} did not finish within {timeout} s")
            segment = min(deadline - now, _WAIT_SEGMENT)
            try:
                with self._follow(job_id, segment, now + segment) as stream:
                    for event in stream:
                        if event.job.finished:
                            return event.job
            except errors.TimedOut:
                pass
            except errors.Unavailable as e:
                # e.g. a job accepted while the coordinator's Redis was down: its stream opens once it is in Redis
                _pause(e, deadline)

    # -- raw leases -----------------------------------------------------------------------------------------

    def request_lease(self, kb: str, holder: str, ttl_ms: Optional[int] = None, wait: float = 0.0) -> Lease:
        """``POST /v1/kbs/{kb}/leases``: joins the KB's queue. Without ``wait`` it answers at once, granted or
        waiting; with ``wait`` (seconds, at most 30) the coordinator answers once the lease is granted, or after
        ``wait`` with it still waiting, keeping it in the queue meanwhile. A waiting lease must then be kept alive
        (:meth:`heartbeat`) or released. For most uses :meth:`hold` does all of this."""
        if wait < 0:
            raise ValueError(f"wait must not be negative, got {wait}")
        body: Dict[str, Any] = {"holder": holder}
        if ttl_ms is not None:
            body["ttlMs"] = ttl_ms
        if wait:
            body["waitMs"] = int(wait * 1000)  # the coordinator waits at most 30 s of it
        route = f"/v1/kbs/{_seg(kb)}/leases"
        return self._exchange("POST", route, body, None, self._timeout + wait, decode=Lease.from_json)[1]

    def lease(self, lease_id: str) -> Lease:
        """``GET /v1/leases/{id}``: the lease now."""
        return self._call("GET", f"/v1/leases/{_seg(lease_id)}", decode=Lease.from_json)

    def heartbeat(self, lease_id: str, doing: Optional[str] = None, timeout: Optional[float] = None) -> Lease:
        """``POST /v1/leases/{id}/heartbeat``: keeps a waiter in the queue, or pushes a grant's expiry out by its
        TTL; the answer says when a waiter was granted. :class:`errors.LeaseLost` once the lease is no longer
        the caller's: stop writing. ``doing``: what the holder is doing now (``copying files``), kept with a grant
        (a running job shows it as its ``doing``); sent as the coordinator takes it (:func:`clean_doing`).
        ``timeout``: seconds the whole call may take, a try on another coordinator included (e.g. the time left
        before the grant lapses); default: the client's ``timeout`` per try. A try given less than the client's
        ``timeout`` that times out raises :class:`errors.TimedOut` without moving the client to the next coordinator."""
        body = None if doing is None else {"doing": clean_doing(doing)}
        path = f"/v1/leases/{_seg(lease_id)}/heartbeat"
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._exchange("POST", path, body, None, timeout, deadline, Lease.from_json)[1]

    def release(self, lease_id: str) -> Lease:
        """``DELETE /v1/leases/{id}``: releases a grant or leaves the queue; releasing twice is harmless."""
        return self._call("DELETE", f"/v1/leases/{_seg(lease_id)}", decode=Lease.from_json)

    def hold(self, kb: str, holder: str, ttl_ms: Optional[int] = None, wait: float = 30.0) -> "Held":
        """Holds a KB's lock for a ``with`` block: ``with client.hold("team-notes", "backup") as held:``.

        Waits up to ``wait`` seconds for the grant (raising :class:`errors.TimedOut`, out of the queue, if it does
        not come), heartbeats it on a background thread every third of its TTL while the block runs, and releases
        it when the block ends, also on an error. ``held.lease`` is the grant (its ``fencing_token`` fences your
        writes); ``held.lost`` turns true if a heartbeat finds the lease lost, or once no heartbeat went through for
        the lease's TTL (the coordinator may have handed the KB to another): stop writing."""
        deadline = time.monotonic() + wait
        asked = time.monotonic()
        lease = self.request_lease(kb, holder, ttl_ms, wait=wait)
        # The long poll answers as the grant is made (or at once when the KB was free), not when it was sent: a grant
        # that waited in the queue lapses by the waiter keep-alive counted from the grant, which may be long after
        # the request went out. Its window starts at the answer (late by at most the answer's way back).
        answered = time.monotonic()
        if lease.granted:
            return Held(self, lease, answered)
        sent = asked
        try:
            while True:
                if lease.state != "waiting":
                    raise errors.LeaseLost(0, "LEASE_LOST", f"lease {lease.id} ended while waiting: {lease.state}")
                if time.monotonic() >= deadline:
                    raise errors.TimedOut(0, "TIMEOUT", f"the lease on {kb} was not granted within {wait} s")
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
                waiting_since = sent  # the last request answered waiting: the grant came after it was taken
                sent = time.monotonic()
                lease = self.heartbeat(lease.id)  # keeps it queued; its answer says once it is granted
                if lease.granted:
                    # learned up to a poll's pause after it was made: its hard end counts from before the grant
                    return Held(self, lease, sent, _polled_grant_start(lease, waiting_since, sent))
        except BaseException:
            self._release_quietly(lease.id)
            raise

    def _release_quietly(self, lease_id: str) -> None:
        try:
            self.release(lease_id)
        except errors.KbsyncError:
            pass  # a lease not released expires on its own

    # -- reads ----------------------------------------------------------------------------------------------

    def read_file(
        self,
        kb: str,
        path: str,
        at: Optional[str] = None,
        after: Optional[str] = None,
        if_none_match: Optional[str] = None,
    ) -> Optional[FileContent]:
        """``GET /v1/kbs/{kb}/files/{path}``: the file in the KB's latest snapshot (or at commit ``at``), never
        waiting for the KB's lock. ``after``: wait (bounded by the server) until the snapshot holds that commit
        (read your own writes: pass a job's ``commit``). ``if_none_match``: an earlier ``etag``; None when the
        file did not change since (``304``)."""
        headers = {"If-None-Match": if_none_match} if if_none_match else None
        query = _query(at=at, after=after)
        route = f"/v1/kbs/{_seg(kb)}/files/{_path(path)}{query}"
        status, content, head = self._exchange("GET", route, None, headers, decode=FileContent.from_json)
        if status == 304:
            return None
        return dataclasses.replace(content, etag=head.get("etag"))

    def tree(self, kb: str, prefix: Optional[str] = None, at: Optional[str] = None, after: Optional[str] = None) -> Tree:
        """``GET /v1/kbs/{kb}/tree?prefix=&at=``: the KB's files under ``prefix`` with sizes and blob ids."""
        route = f"/v1/kbs/{_seg(kb)}/tree" + _query(prefix=prefix, at=at, after=after)
        return self._call("GET", route, decode=Tree.from_json)

    def log(self, kb: str, path: Optional[str] = None, limit: Optional[int] = None, after: Optional[str] = None) -> Log:
        """``GET /v1/kbs/{kb}/log?path=&limit=``: recent commits (of ``path`` only, when given), newest first,
        with their ``Kbsync-Job`` and ``Kbsync-Fence`` trailers."""
        route = f"/v1/kbs/{_seg(kb)}/log" + _query(path=path, limit=limit, after=after)
        return self._call("GET", route, decode=Log.from_json)

    # -- operations -----------------------------------------------------------------------------------------

    def whoami(self) -> TokenInfo:
        """``GET /v1/whoami``: this client's token as the coordinator sees it; raises
        :class:`errors.KbsyncError` ``UNAUTHENTICATED`` for a token it does not know."""
        return self._call("GET", "/v1/whoami", decode=TokenInfo.from_json)

    def health(self) -> None:
        """``GET /healthz``; raises when the coordinator does not answer ``200``."""
        self._call("GET", "/healthz")

    def ready(self) -> None:
        """``GET /readyz``; raises :class:`errors.ServiceUnavailable` while Redis does not answer."""
        self._call("GET", "/readyz")

    # -- transport ------------------------------------------------------------------------------------------

    def _headers(self, extra: Optional[Dict[str, str]]) -> Dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if self._token:
            headers["Authorization"] = "Bearer " + self._token
        headers.update(extra or {})
        return headers

    def _call(
        self,
        method: str,
        path: str,
        body: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        extra: Optional[Dict[str, str]] = None,
        decode: Optional[Callable[[Dict[str, Any]], Any]] = None,
    ) -> Any:
        headers = dict(extra or {})
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._exchange(method, path, body, headers or None, decode=decode)[1]

    def _exchange(
        self,
        method: str,
        path: str,
        body: Optional[Dict[str, Any]],
        extra: Optional[Dict[str, str]],
        timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        decode: Optional[Callable[[Dict[str, Any]], Any]] = None,
    ) -> "tuple[int, Any, Dict[str, str]]":
        """One call: ``timeout`` seconds per try (default: the client's), every try before ``deadline`` (monotonic)
        when given. ``decode``: makes the answer's model of its JSON object (not for a ``304``, answered None); an
        object it cannot make one of (a field missing, of another type, out of range: ``KeyError``, ``TypeError``,
        ``ValueError``) is :class:`errors.NotKbsync`, as in the Java client: a wrong URL or a proxy answered 2xx."""
        headers = self._headers(extra)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        timeout = timeout if timeout is not None else self._timeout
        repeatable = _repeatable(method, path, "Idempotency-Key" in headers)

        def exchange(at: _Endpoint) -> "tuple[int, Any, Dict[str, str]]":
            left = timeout if deadline is None else max(0.001, min(timeout, deadline - time.monotonic()))
            conn = at.connection(left)
            shortened = left < self._timeout - _FULL_TRY_SLACK
            try:
                _connect(conn, self._timeout)
                conn.request(method, at.prefix + path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                head = {k.lower(): v for k, v in response.getheaders()}
                if response.status >= 400:
                    raise _error(at, f"{method} {path}", response.status, raw, head)
                data = _answer(at, f"{method} {path}", response.status, raw, head)
            except (socket.timeout, TimeoutError) as e:
                raise _timed_out(f"no answer from the coordinator at {at.url} within {left:.3g} s", shortened) from e
            except (OSError, http.client.HTTPException) as e:
                raise errors.Unreachable(0, "UNREACHABLE", f"{type(e).__name__}: {e}") from e
            finally:
                conn.close()
            if decode is None:
                return response.status, data, head
            if response.status == 304:
                return response.status, None, head
            try:
                return response.status, decode(data), head
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise _not_kbsync(at, f"{method} {path}", response.status, raw, head, _lacking(e)) from e

        return self._failover(repeatable, exchange, deadline)

    def _open_stream(self, path: str, timeout: Optional[float], shortened: bool = False):
        """Opens an event stream, its answer awaited ``timeout`` seconds (None: without bound); ``shortened``: the
        caller gave it less than the client's timeout, so a timeout does not move the client."""
        headers = self._headers({"Accept": "text/event-stream"})

        def exchange(at: _Endpoint):
            conn = at.connection(timeout if timeout is not None else None)
            try:
                _connect(conn, self._timeout)
                sock = conn.sock  # the response may take it over (a stream that ends with its connection)
                conn.request("GET", at.prefix + path, headers=headers)
                response = conn.getresponse()
            except (socket.timeout, TimeoutError) as e:
                conn.close()
                within = "" if timeout is None else f" within {timeout:.3g} s"
                raise _timed_out(f"no answer from the coordinator at {at.url}{within}", shortened) from e
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                raise errors.Unreachable(0, "UNREACHABLE", f"{type(e).__name__}: {e}") from e
            head = {k.lower(): v for k, v in response.getheaders()}
            stream = head.get("content-type", "").lower().startswith("text/event-stream")
            if response.status >= 400 or not (200 <= response.status < 300 and stream):
                raw = response.read()
                conn.close()
                if response.status >= 400:
                    raise _error(at, f"GET {path}", response.status, raw, head)
                raise _not_kbsync(at, f"GET {path}", response.status, raw, head, "an event stream")
            return response, conn, sock, at.url

        return self._failover(True, exchange)

    def _failover(
        self, repeatable: bool, exchange: Callable[[_Endpoint], Any], deadline: Optional[float] = None
    ) -> Any:
        """Runs ``exchange`` with the coordinator in use; on no usable answer (unreachable, timed out, 503) the client
        moves to the next one, and tries it at once when the first surely did not act (no connection) or answered
        503 to a ``repeatable`` call, each coordinator at most once. A 503 about one job or KB there (``_STAYS``, e.g.
        ``JOB_RESTORING``: only that coordinator knows the job yet) is raised without moving, and so is a timeout of a
        try the caller gave less than the client's timeout (a heartbeat near its lease's lapse, a wait near its end:
        :func:`_timed_out`), which says nothing about the coordinator. A ``408`` (the request
        did not arrive whole in time, so nothing was done) is sent again once, to the same coordinator, repeatable or
        not. Nothing is tried again past ``deadline`` (monotonic), when given."""
        self._probe()
        tried = 0
        resent = False
        while True:
            at = self._endpoints[self._current]
            try:
                return exchange(at)
            except errors.InvalidRequest as e:
                if e.status != 408 or resent or (deadline is not None and time.monotonic() >= deadline):
                    raise
                resent = True
            except (errors.Unreachable, errors.TimedOut, errors.ServiceUnavailable) as e:
                if e.code in _STAYS:
                    raise  # this coordinator's answer about the job or KB: retried here (wait() does), not moved for
                if getattr(e, "shortened", False):
                    raise  # the caller's own bound ran out, not the coordinator's time: the client stays on it
                self._failed(at)
                tried += 1
                again = isinstance(e.__cause__, _NotConnected) or (
                    repeatable and isinstance(e, errors.ServiceUnavailable)
                )
                late = deadline is not None and time.monotonic() >= deadline
                if not again or tried >= len(self._endpoints) or late:
                    raise

    def _failed(self, at: _Endpoint) -> None:
        with self._lock:
            if self._endpoints[self._current] is at and len(self._endpoints) > 1:
                self._current = (self._current + 1) % len(self._endpoints)
                self._moves += 1
                self._next_probe = time.monotonic() + self._probe_interval

    def _probe(self) -> None:
        """While not on the first coordinator, every ``probe_interval`` s: probes the preferred ones on a thread of its
        own (as the Java client does: a call, a heartbeat's too, never waits for a coordinator that does not answer),
        one probe at a time; the first that is ready wins."""
        with self._lock:
            current = self._current
            if current == 0 or self._probing or time.monotonic() < self._next_probe:
                return
            self._next_probe = time.monotonic() + self._probe_interval
            self._probing = True
        threading.Thread(target=self._probe_preferred, args=(current,), name="kbsync-probe", daemon=True).start()

    def _probe_preferred(self, current: int) -> None:
        try:
            self._take_first_ready(current)
        finally:
            with self._lock:
                self._probing = False

    def _take_first_ready(self, current: int) -> None:
        """Moves back to the first coordinator before ``current`` that answers ``/readyz`` with 2xx, if any."""
        for i in range(current):
            at = self._endpoints[i]
            conn = at.connection(min(self._timeout, 2.0))
            try:
                conn.request("GET", at.prefix + "/readyz", headers=self._headers(None))
                response = conn.getresponse()
                response.read()
                ready = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                ready = False
            finally:
                conn.close()
            if ready:
                with self._lock:
                    if self._current == current:
                        self._current = i
                        self._moves += 1
                return


_FULL_TRY_SLACK = 0.05
"""Seconds by which a try may fall short of the client's timeout and still count as a full one (a heartbeat given the
client's timeout sets its deadline a moment before its try starts)."""


def _timed_out(message: str, shortened: bool) -> errors.TimedOut:
    """The :class:`errors.TimedOut` of a try; ``shortened``: the caller gave the try less than the client's timeout
    (its own ``timeout`` or deadline), so the coordinator may only have been slower than that: not counted against it
    (the client does not move)."""
    if shortened:
        message += " (less than the client's timeout, as the call asked: the client stays on this coordinator)"
    error = errors.TimedOut(0, "TIMEOUT", message)
    error.shortened = shortened  # type: ignore[attr-defined]
    return error


class _NotConnected(OSError):
    """The connection could not be made: nothing was sent."""


_SILENT_PERIODS = 2.5
"""Keep-alive periods a stream may be silent before the client takes it for broken, when the coordinator names its
period (``X-Kbsync-Keep-Alive-Seconds``); ``stream_idle_timeout`` when it does not (the dashboard's and the Java
client's rule)."""


def _keep_alive(response: http.client.HTTPResponse) -> Optional[float]:
    """The coordinator's keep-alive period on this stream, in seconds (``X-Kbsync-Keep-Alive-Seconds``), if it says."""
    try:
        value = float(response.getheader("X-Kbsync-Keep-Alive-Seconds") or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _connect(conn: http.client.HTTPConnection, connect_timeout: float) -> None:
    """Connects within ``connect_timeout`` seconds (also for a connection read without a timeout, such as an event
    stream's: a coordinator gone from the network is left for the next one), then restores the read timeout."""
    read_timeout = conn.timeout
    conn.timeout = connect_timeout if read_timeout is None else min(read_timeout, connect_timeout)
    try:
        conn.connect()
    except (socket.timeout, TimeoutError, OSError) as e:
        raise _NotConnected(f"{type(e).__name__}: {e}") from e
    finally:
        conn.timeout = read_timeout
    conn.sock.settimeout(read_timeout)


def _repeatable(method: str, path: str, has_key: bool) -> bool:
    """Whether a call may be sent to another coordinator after a 503 (which does not mean nothing was done): reads,
    puts, a submit with its idempotency key, a job's retry (its key is the old job's id) and the lease calls can; a
    submit without a key (a second job), a cancel (a second one answers 409), a KB's removal (a second one answers
    404) and an admin's force-release cannot."""
    if method in ("GET", "PUT", "HEAD"):
        return True
    if method == "DELETE":
        return not path.startswith("/v1/jobs/") and not path.startswith("/v1/kbs/")
    if path.endswith("/notes") or path.endswith("/agent-tasks"):
        return has_key
    return not path.endswith("/force-release") and not path.endswith("/extend")


def _first_window(lease: Lease) -> float:
    """Seconds a fresh grant stands without a heartbeat: its TTL, or less when the coordinator capped its expiry (a
    grant made from the queue, at the waiter's keep-alive; a grant at its deadline)."""
    ttl = lease.ttl_ms / 1000.0
    granted, expires = _instant(lease.raw.get("grantedAt")), _instant(lease.expires_at)
    if granted is None or expires is None:
        return ttl
    capped = (expires - granted).total_seconds()
    return capped if 0 < capped < ttl else ttl


def _polled_grant_start(lease: Lease, waiting_since: float, sent: float) -> float:
    """When (monotonic) a grant learned from a heartbeat's answer (sent at ``sent``) was made, at the earliest: after
    the last request answered waiting was taken (``waiting_since``), and, when the answer's expiry is not capped at the
    deadline (the coordinator set it to when it took the heartbeat plus the TTL), no earlier than ``sent`` less how long
    after the grant the heartbeat was taken, on the coordinator's clock."""
    granted, expires, deadline = (
        _instant(lease.raw.get("grantedAt")), _instant(lease.expires_at), _instant(lease.deadline_at))
    if granted is None or expires is None or (deadline is not None and expires >= deadline):
        return waiting_since
    since_grant = (expires - granted).total_seconds() - lease.ttl_ms / 1000.0
    return max(waiting_since, sent - since_grant) if since_grant >= 0 else waiting_since


def _max_hold(lease: Lease) -> Optional[float]:
    """Seconds from a grant to its hard end (``deadlineAt`` less ``grantedAt``, both the coordinator's: never compared
    with this client's clock), which no heartbeat pushes out; None without them."""
    granted, deadline = _instant(lease.raw.get("grantedAt")), _instant(lease.deadline_at)
    if granted is None or deadline is None:
        return None
    return max(0.0, (deadline - granted).total_seconds())


def _instant(text: Optional[str]) -> Optional[datetime.datetime]:
    """An ISO-8601 instant as the coordinator writes it (``...T12:00:00.123456789Z``), or None."""
    if not text:
        return None
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", text)
    if not match:
        return None
    micros = int((match.group(2) or "0")[:6].ljust(6, "0"))
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    return moment.replace(microsecond=micros, tzinfo=datetime.timezone.utc)


class Held:
    """A lease held for a ``with`` block (:meth:`Client.hold`): heartbeaten in the background, released at the end."""

    def __init__(
        self, client: Client, lease: Lease, renewed: Optional[float] = None, granted: Optional[float] = None
    ) -> None:
        self.lease = lease
        #: why the heartbeats stopped when the coordinator refused them for good (``lost`` is then True)
        self.error: Optional[errors.KbsyncError] = None
        self._client = client
        self._lost = False
        self._lock = threading.Lock()
        # when the grant lapses unless heartbeaten (monotonic): its TTL from when the call that last renewed it was
        # sent (``renewed``, else now), as the coordinator renewed it no earlier; a fresh grant's (hold) from the
        # long poll's answer, late by the answer's way back and the time its coordinator took to hear of the grant
        # (beaten at once, it is renewed from the heartbeat's sending); None for a lease without a TTL
        start = time.monotonic() if renewed is None else renewed
        # its hard end (monotonic), the grant's deadlineAt counted on this clock from the grant (``granted``, when the
        # grant was learned by polling, else the same start), which no heartbeat pushes out (the coordinator caps each
        # one's expiry there); None when the lease does not say
        max_hold = _max_hold(lease)
        grant_start = start if granted is None else min(granted, start)
        self._hard_end: Optional[float] = None if max_hold is None else grant_start + max_hold
        self._expires: Optional[float] = self._capped(start + _first_window(lease)) if lease.ttl_ms > 0 else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"kbsync-lease-{lease.id}", daemon=True)

    @property
    def lost(self) -> bool:
        """True once the lease is surely or possibly no longer the caller's: a heartbeat found it lost, the
        coordinator refused the heartbeats for good (``error``), none went through for the lease's TTL (the
        coordinator may have handed the KB to another meanwhile), or its hard end (``deadline_at``, counted from the
        grant on this client's clock) passed, which no heartbeat pushes out. Stop writing; it stays true."""
        with self._lock:
            if not self._lost:
                now = time.monotonic()
                ends = [t for t in (self._expires, self._hard_end) if t is not None]
                self._lost = any(now >= t for t in ends)
            return self._lost

    def _capped(self, expires: float) -> float:
        """``expires``, or the hard end when that is sooner."""
        return expires if self._hard_end is None else min(expires, self._hard_end)

    def _beat(self) -> None:
        period = max(0.2, self.lease.ttl_ms / 3000.0)
        first = True  # at once: a grant made from the queue lapses by its waiter keep-alive, long before a period
        while first or not self._stop.wait(period):
            first = False
            if self.lost:
                return
            sent = time.monotonic()
            timeout = self._client._timeout
            if self._expires is not None:  # a heartbeat answered after the grant lapsed cannot keep it
                timeout = min(timeout, self._expires - sent)
                if timeout <= 0:
                    continue  # lapsed just now: ``lost`` says so
            try:
                lease = self._client.heartbeat(self.lease.id, timeout=timeout)
            except (errors.LeaseLost, errors.NotFound):  # no longer the caller's, or gone altogether
                self._lose(None)
                return
            except errors.Unavailable:
                continue  # tried again next period; ``lost`` once the TTL passed without one going through
            except errors.KbsyncError as e:  # refused for good (a rotated token, a scope): it cannot be kept
                self._lose(e)
                return
            with self._lock:
                if self._lost:
                    return
                self.lease = lease
                if lease.ttl_ms > 0:
                    self._expires = self._capped(sent + lease.ttl_ms / 1000.0)

    def _lose(self, error: Optional[errors.KbsyncError]) -> None:
        with self._lock:
            self.error = error
            self._lost = True

    def __enter__(self) -> "Held":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._client._release_quietly(self.lease.id)


def _pause(e: "errors.KbsyncError", deadline: float) -> None:
    """Sleeps the pause a failure asks for (its Retry-After, else 1 s, at least 0.1 s) before :meth:`Client.wait`
    tries again; raises it when the pause would pass ``deadline``."""
    retry_after = getattr(e, "retry_after", None)
    pause = max(_STREAM_RETRY_FLOOR, retry_after if retry_after is not None else _STREAM_RETRY)
    if time.monotonic() + pause >= deadline:
        raise e
    time.sleep(pause)


class JobEvents:
    """An open job event stream: iterate it for :class:`JobEvent` s; ``close()`` ends it early (also from another
    thread) and closes its connection, as does the end of the iteration."""

    def __init__(
        self,
        response: http.client.HTTPResponse,
        conn: http.client.HTTPConnection,
        deadline: Optional[float] = None,
        url: Optional[str] = None,
        sock: Optional[socket.socket] = None,
    ) -> None:
        self._response = response
        self._conn = conn
        # the stream's socket: a response that ends with its connection (HTTP/1.0, Connection: close) takes it over
        # from ``conn``, whose ``sock`` is None then
        self._sock = sock if sock is not None else getattr(conn, "sock", None)
        self._deadline = deadline
        self._url = url
        self._lock = threading.Lock()
        self._closed = False
        self._reading = False  # a read of the response is under way (on any thread)
        self._released = False

    def __iter__(self) -> Iterator[JobEvent]:
        try:
            for name, data in read_events(_Lines(self._readline), comments=self._deadline is not None):
                self._check_deadline()
                if name == "error":  # the coordinator ends the stream with it (e.g. SLOW_CONSUMER): say so
                    error = self._decode(name, data, _stream_error)
                    raise errors.ServiceUnavailable(
                        503, str(error.get("code", "STREAM_ERROR")), str(error.get("message", data)))
                if name not in ("state", "position", "doing"):  # an event this version does not know: skipped
                    continue
                event = JobEvent(name, self._decode(name, data, Job.from_json))
                yield event
                if event.last:
                    return
        except (socket.timeout, TimeoutError) as e:
            if not self._closed:
                raise errors.TimedOut(0, "TIMEOUT", "no event nor keep-alive on the stream within its timeout") from e
        except (OSError, ValueError, http.client.HTTPException) as e:
            if not self._closed:
                raise errors.Unreachable(0, "UNREACHABLE", f"event stream broke: {e}") from e
        finally:
            self.close()

    def _decode(self, name: str, data: str, decode: Callable[[Dict[str, Any]], Any]) -> Any:
        """``decode`` of an event's JSON object; data that is not one, or lacks the fields of kbsync's (``KeyError``,
        ``TypeError``, ``ValueError``), is :class:`errors.NotKbsync`, as a call's 2xx answer."""
        try:
            answer = json.loads(data)
            if not isinstance(answer, dict):
                raise TypeError(f"not a JSON object: {data[:80]!r}")
            return decode(answer)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            server = f"the server at {self._url}" if self._url else "the server"
            raise errors.NotKbsync(
                0,
                "NOT_KBSYNC",
                f"{server} did not answer as a kbsync coordinator (its {name!r} event is not {_lacking(e)}); check"
                " the URL",
            ) from e

    def _check_deadline(self) -> None:
        """With a deadline: time out once it passed, else read at most until it."""
        if self._deadline is None:
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline passed")
        if self._sock is not None:  # the stream's own: its connection's is None once the response took it over
            self._sock.settimeout(left)

    def _readline(self) -> bytes:
        """A line of the response; none once closed. A read that ``close()`` cut short closes the response after it."""
        with self._lock:
            if self._closed:
                return b""
            self._reading = True
        try:
            return self._response.readline()
        finally:
            with self._lock:
                self._reading = False
                release = self._closed
            if release:
                self._release()

    def close(self) -> None:
        """Closes the stream and its connection; an iteration in progress (on another thread too) ends."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            reading = self._reading
        try:
            if self._sock is not None:
                self._sock.shutdown(socket.SHUT_RDWR)  # ends a read under way, on whatever thread
        except OSError:
            pass
        if not reading:  # else the read, ended by the shutdown, closes the response (not under its feet)
            self._release()

    def _release(self) -> None:
        """Closes the response (whose file holds the socket open) and the connection, once."""
        with self._lock:
            if self._released:
                return
            self._released = True
        try:
            self._response.close()
        finally:
            self._conn.close()

    def __enter__(self) -> "JobEvents":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _Lines:
    """A file-like of the one method :func:`read_events` uses: ``readline``."""

    def __init__(self, readline: Callable[[], bytes]) -> None:
        self.readline = readline


class Subscription:
    """A stream followed on a daemon thread (see :meth:`Client.follow`)."""

    def __init__(
        self,
        open_stream: Callable[[], JobEvents],
        on_event: Callable[[JobEvent], None],
        on_error: Optional[Callable[[BaseException], None]],
    ) -> None:
        self._lock = threading.Lock()
        self._stream: Optional[JobEvents] = None
        self._cancelled = False
        self._open = open_stream
        self._on_event = on_event
        self._on_error = on_error
        self._thread = threading.Thread(target=self._run, name="kbsync-follow", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            stream = self._open()
            with self._lock:
                self._stream = stream
                if self._cancelled:
                    stream.close()
                    return
            for event in stream:
                if self._cancelled:  # events read before the cancel, still buffered: none of them is handed out
                    return
                self._on_event(event)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's callback
            if not self._cancelled and self._on_error is not None:
                self._on_error(e)

    def cancel(self) -> None:
        """Stops following; no callback runs after the current one returned."""
        with self._lock:
            self._cancelled = True
            if self._stream is not None:
                self._stream.close()

    def join(self, timeout: Optional[float] = None) -> bool:
        """Waits until the stream ended; True when it did within ``timeout`` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _error(at: _Endpoint, request: str, status: int, raw: bytes, head: Dict[str, str]) -> errors.KbsyncError:
    """The exception for an error answer. Only kbsync's error JSON is the coordinator's error; without it, a proxy's
    502/503/504 is the coordinator's unavailability, a proxy's 429 a rate limit, a proxy's 408 a request that did not
    arrive whole in time (as kbsync's own ``REQUEST_TIMEOUT``), anything else ``NotKbsync``."""
    seconds = _retry_after(head.get("retry-after"))
    try:
        err = json.loads(raw).get("error")
    except (ValueError, AttributeError):
        err = None
    if isinstance(err, dict) and isinstance(err.get("code"), str):
        return errors.from_answer(status, err["code"], err.get("message"), seconds)
    described = _described(request, status, raw, head) + ", not kbsync's error JSON"
    if status in (502, 503, 504):
        return errors.ServiceUnavailable(
            status,
            f"HTTP_{status}",
            f"the coordinator at {at.url} is unavailable: {described} (a proxy or gateway answered in its place)",
            seconds,
        )
    if status == 429:
        return errors.RateLimited(status, "HTTP_429", f"rate limited at {at.url}: {described} (a proxy)", seconds)
    if status == 408:
        return errors.InvalidRequest(
            status,
            "HTTP_408",
            f"the request to {at.url} did not arrive whole in time: {described} (a proxy gave up on it); nothing was"
            " done",
            seconds,
        )
    return _not_kbsync(at, request, status, raw, head, "kbsync's error JSON")


MAX_RETRY_AFTER = 3600.0
"""The longest ``Retry-After`` the client takes, in seconds (the Java client's ``Answer.MAX_RETRY_AFTER``)."""

_SECONDS = re.compile(r"\d+(?:\.\d*)?|\.\d+", re.ASCII)


def _retry_after(header: Optional[str], now: Optional[datetime.datetime] = None) -> Optional[float]:
    """``Retry-After`` in seconds: a number of seconds (the form kbsync sends; a fraction taken too) or an HTTP date (a
    proxy's), the time from ``now`` until then (0 once it passed); at most :data:`MAX_RETRY_AFTER`. None when absent or
    neither form, as in the Java client (``Answer.retryAfter``)."""
    value = (header or "").strip()
    if not value:
        return None
    if _SECONDS.fullmatch(value):
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000": UTC, as an HTTP date's GMT is
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER)


def _answer(at: _Endpoint, request: str, status: int, raw: bytes, head: Dict[str, str]) -> Dict[str, Any]:
    """A 2xx's JSON object (``{}`` without a body, as a ``204`` or a ``304``, the answer to ``If-None-Match``, have).
    Anything else (another server's page, a redirect, JSON that is not an object) is :class:`errors.NotKbsync`."""
    if not (200 <= status < 300 or status == 304):
        raise _not_kbsync(at, request, status, raw, head, "kbsync's JSON (a redirect is never kbsync's)")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise _not_kbsync(at, request, status, raw, head, "kbsync's JSON object")
    return data


def _described(request: str, status: int, raw: bytes, head: Dict[str, str]) -> str:
    kind = head.get("content-type")
    detail = " with no body" if not raw else f" with {kind}" if kind else ""
    location = head.get("location")
    return f"{request} answered HTTP {status}{detail}" + (f" to {location}" if location else "")


def _not_kbsync(
    at: _Endpoint, request: str, status: int, raw: bytes, head: Dict[str, str], expected: str
) -> errors.NotKbsync:
    described = f"{_described(request, status, raw, head)}, not {expected}"
    return errors.NotKbsync(
        0, "NOT_KBSYNC", f"the server at {at.url} did not answer as a kbsync coordinator ({described}); check the URL"
    )


def _stream_error(answer: Dict[str, Any]) -> Dict[str, Any]:
    """The ``error`` object of a stream's ``error`` event (empty without one: ``STREAM_ERROR``)."""
    error = answer.get("error")
    return error if isinstance(error, dict) else {}


def _lacking(e: BaseException) -> str:
    """What a 2xx answer that ``decode`` could not make its model of is not, for :func:`_not_kbsync`."""
    why = f"no {e.args[0]!r}" if isinstance(e, KeyError) and e.args else f"{type(e).__name__}: {e}"
    return f"kbsync's answer: it lacks the fields of kbsync's ({why})"


def _note_body(user: str, text: str, title: Optional[str], path: Optional[str]) -> Dict[str, Any]:
    body: Dict[str, Any] = {"user": user, "text": text}
    if title is not None:
        body["title"] = title
    if path is not None:
        body["path"] = path
    return body


DOING_MAX = 200
"""The longest ``doing`` a heartbeat may carry, in UTF-16 code units (the coordinator's ``Activity.MAX_LENGTH``)."""


def clean_doing(doing: str) -> str:
    """``doing`` as the coordinator takes it: each control character (C0, DEL, C1) and lone surrogate a space, cut to
    :data:`DOING_MAX` UTF-16 code units (never inside a character), as the Java client's ``Activity.clean``."""
    out = []
    units = 0
    for ch in doing:
        code = ord(ch)
        bad = code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF
        width = 2 if code > 0xFFFF else 1
        if units + (1 if bad else width) > DOING_MAX:
            break
        out.append(" " if bad else ch)
        units += 1 if bad else width
    return "".join(out)


def _seg(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _path(value: str) -> str:
    return "/".join(urllib.parse.quote(part, safe="") for part in value.split("/"))


def _query(**params: Any) -> str:
    pairs = [(k, str(v)) for k, v in params.items() if v is not None]
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""
