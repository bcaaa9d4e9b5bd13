"""Waiting for a job whose event stream answers 503 for a while: the job was accepted while the coordinator's Redis
was unreachable (degraded mode, ``"mode":"degraded"``) and its stream needs Redis. A small local HTTP server answers
as such a coordinator: the job's read from its journal, its stream 503 with Retry-After until told otherwise."""

import datetime
import email.utils
import json
import socket
import threading
import time
import unittest

import kbsync
from local_server import LocalServer, Quiet

JOB = {
    "id": "dg~1",
    "kb": "dg",
    "kind": "note",
    "user": "u",
    "payload": {"text": "t", "title": None, "path": None},
    "ahead": 0,
    "etaMs": 0,
    "etaP90Ms": 0,
    "createdAt": "2026-12-04T00:00:00Z",
}


class JournalCoordinator(LocalServer):
    """The job queued (from the journal) and its stream 503 JOB_RESTORING for the first ``refusals`` opens, then a
    stream whose last event has the job done."""

    def __init__(self, refusals: int, read_refusals: int = 0, retry_after: str = "1") -> None:
        self.opens = 0
        self.reads = 0
        fake = self

        class Handler(Quiet):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path == "/v1/jobs/dg~1":
                    fake.reads += 1
                    if fake.reads <= read_refusals:
                        self.reply(503, {"error": {"code": "REDIS_UNAVAILABLE", "message": "down"}}, retry_after)
                    else:
                        self.reply(200, dict(JOB, state="queued", mode="degraded"))
                elif self.path == "/v1/jobs/dg~1/events":
                    fake.opens += 1
                    if fake.opens <= refusals:
                        self.reply(503, {"error": {"code": "JOB_RESTORING", "message": "on its way"}}, retry_after)
                    else:
                        body = ("event: state\ndata: " + json.dumps(dict(JOB, state="queued")) + "\n\n"
                                + "event: state\ndata: " + json.dumps(dict(JOB, state="done")) + "\n\n").encode()
                        self.send_response(200)
                        self.send_header("Content-Type", "text/event-stream")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                else:
                    self.reply(404, {"error": {"code": "NOT_FOUND", "message": self.path}})

            def reply(self, status: int, body: dict, retry_after: str = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(raw)

        super().__init__(Handler)


class UnknownJobCoordinator(LocalServer):
    """Another coordinator on the same Redis while the job is still in the first one's journal: 404 JOB_NOT_FOUND."""

    def __init__(self) -> None:
        self.calls = []
        fake = self

        class Handler(Quiet):
            def do_GET(self) -> None:
                fake.calls.append(self.path)
                body = json.dumps({"error": {"code": "JOB_NOT_FOUND", "message": "no job"}}).encode()
                self.send(404, body, {"Content-Type": "application/json"})

        super().__init__(Handler)


class WaitThroughA503Test(unittest.TestCase):
    def test_waits_on_the_coordinator_whose_journal_holds_the_job_not_the_next(self):
        fake, other = JournalCoordinator(refusals=1), UnknownJobCoordinator()
        try:
            kb = kbsync.Client([fake.url, other.url], timeout=5)
            done = kb.wait("dg~1", timeout=20)
            self.assertEqual(done.state, "done")
            self.assertEqual(fake.opens, 2, "the stream was opened again on the coordinator that answered 503")
            self.assertEqual(other.calls, [])
            self.assertEqual((kb.coordinator, kb.coordinator_moves), (fake.url, 0))
        finally:
            fake.close()
            other.close()

    def test_waits_through_a_503_of_the_jobs_stream_after_its_retry_after(self):
        fake = JournalCoordinator(refusals=1)
        try:
            started = time.monotonic()
            done = kbsync.Client(fake.url, timeout=5).wait("dg~1", timeout=20)
            self.assertEqual(done.state, "done")
            self.assertEqual(fake.opens, 2)
            self.assertGreaterEqual(time.monotonic() - started, 0.9, "it waited the Retry-After")
        finally:
            fake.close()

    def test_waits_the_retry_after_a_503_asks_for_with_a_fraction_or_as_an_http_date(self):
        past = email.utils.format_datetime(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1),
                                           usegmt=True)
        for retry_after, at_least in (("0.3", 0.55), (past, 0.15)):  # a date that passed: at once (the 0.1 s floor)
            with self.subTest(retry_after=retry_after):
                fake = JournalCoordinator(refusals=2, retry_after=retry_after)
                try:
                    started = time.monotonic()
                    self.assertEqual(kbsync.Client(fake.url, timeout=5).wait("dg~1", timeout=20).state, "done")
                    took = time.monotonic() - started
                    self.assertEqual(fake.opens, 3)
                    self.assertGreaterEqual(took, at_least, "it waited the Retry-After")
                    self.assertLess(took, 1.5, "not the 1 s of a 503 without Retry-After, twice")
                finally:
                    fake.close()

    def test_waits_through_a_503_of_the_jobs_read(self):
        fake = JournalCoordinator(refusals=0, read_refusals=1)
        try:
            self.assertEqual(kbsync.Client(fake.url, timeout=5).wait("dg~1", timeout=20).state, "done")
            self.assertEqual(fake.reads, 2)
        finally:
            fake.close()

    def test_a_503_past_the_timeout_ends_the_wait_with_the_503(self):
        fake = JournalCoordinator(refusals=100)
        try:
            with self.assertRaises(kbsync.Unavailable):
                kbsync.Client(fake.url, timeout=5).wait("dg~1", timeout=2.5)
        finally:
            fake.close()



class SilentCoordinator:
    """Accepts connections and never answers, as a stopped (SIGSTOP) coordinator's kernel does."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


class WaitDeadlineTest(unittest.TestCase):
    def test_a_coordinator_that_never_answers_ends_the_wait_at_its_timeout_not_the_calls(self):
        silent = SilentCoordinator()
        try:
            started = time.monotonic()
            with self.assertRaises(kbsync.TimedOut):
                kbsync.Client(silent.url, timeout=15).wait("dg~1", timeout=2)
            self.assertLess(time.monotonic() - started, 4, "the wait's timeout bounds the job's read too")
        finally:
            silent.close()

    def test_a_stream_that_ends_with_its_connection_still_ends_the_wait_at_its_timeout(self):
        # HTTP/1.0: the stream's response takes its socket over from the connection; a keep-alive every 0.8 s
        released = threading.Event()

        class Handler(Quiet):
            def do_GET(self) -> None:
                try:
                    if not self.path.endswith("/events"):
                        job = json.dumps(dict(JOB, state="queued")).encode()
                        self.send(200, job, {"Content-Type": "application/json"})
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    while True:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        if released.wait(0.8):
                            return
                except OSError:
                    pass  # the client gave up on the answer

        server = LocalServer(Handler)
        try:
            started = time.monotonic()
            with self.assertRaises(kbsync.TimedOut):
                kbsync.Client(server.url, timeout=5).wait("dg~1", timeout=1.0)
            self.assertLess(time.monotonic() - started, 1.4, "the stream was read past the wait's timeout")
        finally:
            released.set()
            server.close()


if __name__ == "__main__":
    unittest.main()
