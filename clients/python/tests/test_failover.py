"""A client given several coordinators: it uses the first that answers and moves when one stops answering.

Against the running coordinator in KBSYNC_URL, next to a port that refuses connections and a small local HTTP
server that answers as a coordinator whose Redis is down (503) or, once told, as a ready one.
"""

import json
import os
import socket
import threading
import time
import unittest

import kbsync
from local_server import LocalServer, Quiet

URL = os.environ.get("KBSYNC_URL")
TOKEN = os.environ.get("KBSYNC_TOKEN") or None


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class FakeCoordinator(LocalServer):
    """Answers every call 503 ``code`` (REDIS_UNAVAILABLE) until ``ready`` is set; then /readyz and /healthz 200."""

    def __init__(self, code: str = "REDIS_UNAVAILABLE") -> None:
        self.ready = False
        self.code = code
        self.calls = []
        fake = self

        class Handler(Quiet):
            def answer(self) -> None:
                fake.calls.append((self.command, self.path))
                if fake.ready and self.path in ("/readyz", "/healthz"):
                    self.send(200)
                else:
                    body = json.dumps({"error": {"code": fake.code, "message": "unavailable"}}).encode()
                    self.send(503, body, {"Retry-After": "2", "Content-Type": "application/json"})

            do_GET = do_POST = do_PUT = do_DELETE = answer

        super().__init__(Handler)


class OptionsTest(unittest.TestCase):
    def test_refuses_bad_lists(self):
        with self.assertRaises(ValueError):
            kbsync.Client([])
        with self.assertRaises(ValueError):
            kbsync.Client("http://a:1,http://a:1")
        with self.assertRaises(ValueError):
            kbsync.Client("http://a:1,ftp://b")
        with self.assertRaises(ValueError):
            kbsync.Client(["https://a:1", "http://b:2"], ca_file="/nonexistent/ca.pem")

    def test_takes_a_comma_separated_list_or_a_sequence(self):
        self.assertEqual(kbsync.Client("http://a:1, http://b:2").coordinators, ["http://a:1", "http://b:2"])
        self.assertEqual(kbsync.Client(["http://a:1", "http://b:2"]).coordinator, "http://a:1")


class StayOrMoveTest(unittest.TestCase):
    """A 503 about one job or KB on the coordinator (its snapshot, a job still in its journal) is that coordinator's
    answer to retry there: the client does not move for it. The coordinator's own unavailability moves it."""

    def setUp(self) -> None:
        self.first, self.second = FakeCoordinator(), FakeCoordinator()
        self.second.ready = True

    def tearDown(self) -> None:
        self.first.close()
        self.second.close()

    def pair(self, code: str) -> "tuple[FakeCoordinator, FakeCoordinator]":
        self.first.code = code
        self.first.calls.clear()
        self.second.calls.clear()
        return self.first, self.second

    def test_stays_on_the_coordinator_for_a_503_about_a_job_or_kb_there(self):
        for code in ("JOB_RESTORING", "SNAPSHOT_BEHIND", "SNAPSHOT_UNAVAILABLE"):
            with self.subTest(code=code):
                first, second = self.pair(code)
                kb = kbsync.Client([first.url, second.url], timeout=5)
                with self.assertRaises(kbsync.ServiceUnavailable) as raised:
                    kb.read_file("demo", "a.md", after="0123abc")
                self.assertEqual((raised.exception.code, raised.exception.retry_after), (code, 2))
                self.assertEqual(kb.coordinator, first.url)
                self.assertEqual(kb.coordinator_moves, 0)
                self.assertEqual(second.calls, [], "not sent to a coordinator that may not know the job or KB")
                with self.assertRaises(kbsync.ServiceUnavailable):
                    kb.read_file("demo", "a.md", after="0123abc")  # the retry goes to the same coordinator
                self.assertEqual((len(first.calls), len(second.calls)), (2, 0))

    def test_moves_for_the_coordinators_own_unavailability(self):
        codes = ("REDIS_UNAVAILABLE", "COORDINATOR_STOPPING", "JOURNAL_UNAVAILABLE", "REPLICATION_TIMEOUT", "READS_BUSY")
        for code in codes:
            with self.subTest(code=code):
                first, second = self.pair(code)
                kb = kbsync.Client([first.url, second.url], timeout=5)
                kb.health()
                self.assertEqual(kb.coordinator, second.url)
                self.assertEqual((len(first.calls), len(second.calls)), (1, 1))


class ProbeTest(unittest.TestCase):
    """The probe of a preferred coordinator runs beside the calls: one that accepts connections but never answers
    (a hung process) holds back no call, a heartbeat's included."""

    def test_a_call_does_not_wait_for_the_probe_of_a_preferred_coordinator_that_never_answers(self):
        hang, let_go = threading.Event(), threading.Event()

        class Hung(Quiet):
            def do_GET(self) -> None:  # 503 (the client moves on), then once told: never an answer
                if hang.is_set():
                    let_go.wait(10)
                    self.close_connection = True
                    return
                body = json.dumps({"error": {"code": "REDIS_UNAVAILABLE", "message": "down"}}).encode()
                self.send(503, body, {"Retry-After": "1", "Content-Type": "application/json"})

        class Up(Quiet):
            def do_GET(self) -> None:
                self.send(200, b'{"status":"up"}', {"Content-Type": "application/json"})

        first, second = LocalServer(Hung), LocalServer(Up)
        try:
            kb = kbsync.Client([first.url, second.url], timeout=5, probe_interval=0.1)
            kb.health()
            self.assertEqual(kb.coordinator, second.url)
            hang.set()
            time.sleep(0.2)  # a probe of the first is due
            started = time.monotonic()
            kb.health()
            self.assertLess(time.monotonic() - started, 1.5, "the call waited for the probe of the hung coordinator")
            self.assertEqual(kb.coordinator, second.url)
        finally:
            let_go.set()
            first.close()
            second.close()


class SlowCoordinator(LocalServer):
    """A healthy coordinator that answers every call after ``delay`` seconds (an event stream after
    ``stream_delay``, when set): the lease, a queued job, and its event stream (whose first event says the job is
    done)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.stream_delay = None
        self.calls = []
        self.released = threading.Event()
        slow = self

        class Handler(Quiet):
            def answer(self) -> None:
                slow.calls.append((self.command, self.path))
                stream = self.path.endswith("/events")
                if slow.released.wait(slow.stream_delay if stream and slow.stream_delay is not None else slow.delay):
                    return
                try:
                    self.reply(stream)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up on the answer (its timeout ran out)

            def reply(self, stream: bool) -> None:
                if self.path.startswith("/v1/leases/"):
                    lease = {"id": "l1", "kb": "demo", "holder": "h", "state": "granted", "ttlMs": 60000}
                    self.send(200, json.dumps(lease).encode(), {"Content-Type": "application/json"})
                elif stream:
                    job = {"id": "j1", "kb": "demo", "kind": "note", "user": "u", "state": "done"}
                    body = b"event: state\ndata: " + json.dumps(job).encode() + b"\n\n"
                    self.send(200, body, {"Content-Type": "text/event-stream"})
                else:
                    job = {"id": "j1", "kb": "demo", "kind": "note", "user": "u", "state": "queued"}
                    self.send(200, json.dumps(job).encode(), {"Content-Type": "application/json"})

            do_GET = do_POST = do_PUT = do_DELETE = answer

        super().__init__(Handler)

    def close(self) -> None:
        self.released.set()
        super().close()


class ShortenedTimeoutTest(unittest.TestCase):
    """A call whose caller gave it less than the client's timeout (a heartbeat near a lapse, a wait near its end) and
    that timed out says nothing about the coordinator: the client stays on it. A try with the client's full timeout
    that timed out still moves it."""

    def setUp(self) -> None:
        self.first, self.second = SlowCoordinator(0.3), SlowCoordinator(0)

    def tearDown(self) -> None:
        self.first.close()
        self.second.close()

    def assert_stayed(self, kb) -> None:
        self.assertEqual(kb.coordinator_moves, 0)
        self.assertEqual(kb.coordinator, self.first.url)
        self.assertEqual(self.second.calls, [])
        self.assertEqual(kb.lease("l1").id, "l1")  # the next call goes to the first, which answers
        self.assertEqual(self.second.calls, [])

    def test_a_heartbeat_given_less_than_the_clients_timeout_that_times_out_does_not_move_the_client(self):
        kb = kbsync.Client([self.first.url, self.second.url], timeout=5)
        with self.assertRaises(kbsync.TimedOut):
            kb.heartbeat("l1", timeout=0.1)
        self.assert_stayed(kb)

    def test_a_wait_whose_read_times_out_at_its_end_does_not_move_the_client(self):
        kb = kbsync.Client([self.first.url, self.second.url], timeout=5)
        with self.assertRaises(kbsync.TimedOut):
            kb.wait("j1", timeout=0.15)
        self.assert_stayed(kb)

    def test_a_wait_whose_stream_times_out_at_its_end_does_not_move_the_client(self):
        self.first.delay, self.first.stream_delay = 0.05, 0.5  # the read answers in time, the stream does not
        kb = kbsync.Client([self.first.url, self.second.url], timeout=5)
        with self.assertRaises(kbsync.TimedOut):
            kb.wait("j1", timeout=0.3)
        self.assertIn(("GET", "/v1/jobs/j1/events"), self.first.calls)
        self.assert_stayed(kb)

    def test_a_held_leases_heartbeat_cut_short_by_its_lapse_does_not_move_the_client(self):
        from kbsync.client import Held
        from kbsync.models import Lease

        self.first.delay = 1.0
        kb = kbsync.Client([self.first.url, self.second.url], timeout=5)
        lease = Lease("l1", "demo", "h", "granted", 0, 7, None, None, 500, {})
        with Held(kb, lease) as held:  # its first heartbeat may wait only the 0.5 s the grant has left
            deadline = time.monotonic() + 5
            while not held.lost and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertTrue(held.lost)
            self.first.delay = 0
        self.assertEqual(self.second.calls, [], "the heartbeats and the release stay on the first")
        self.assertEqual(kb.coordinator_moves, 0)

    def test_a_try_with_the_clients_full_timeout_that_times_out_still_moves_the_client(self):
        for name, call in (("job", lambda kb: kb.job("j1")), ("heartbeat", lambda kb: kb.heartbeat("l1", timeout=0.1))):
            with self.subTest(call=name):
                self.second.calls.clear()
                kb = kbsync.Client([self.first.url, self.second.url], timeout=0.1)
                with self.assertRaises(kbsync.TimedOut):
                    call(kb)
                self.assertEqual(kb.coordinator_moves, 1)
                self.assertEqual(kb.coordinator, self.second.url)
                kb.lease("l1")
                self.assertEqual(len(self.second.calls), 1)


@unittest.skipUnless(URL, "KBSYNC_URL is not set: no coordinator to test against")
class FailoverTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeCoordinator()

    def tearDown(self) -> None:
        self.fake.close()

    def test_moves_to_the_next_when_the_first_refuses_connections(self):
        kb = kbsync.Client([closed_port_url(), URL], token=TOKEN, timeout=15)
        kb.ready()
        self.assertEqual(kb.coordinator, URL)
        self.assertEqual(kb.coordinator_moves, 1)

    def test_tries_the_next_at_once_when_the_first_answers_503_to_a_call_it_may_repeat(self):
        kb = kbsync.Client([self.fake.url, URL], token=TOKEN, timeout=15)
        job = kb.submit_note("demo", "py-bot", "after a 503", idempotency_key=f"fo-{time.time_ns()}")
        self.assertEqual(kb.coordinator, URL)
        self.assertEqual(kb.job(job.id).id, job.id)
        self.assertEqual(len(self.fake.calls), 1)

    def test_does_not_send_a_submit_without_a_key_again_after_a_503_but_moves_for_the_next_call(self):
        kb = kbsync.Client([self.fake.url, URL], token=TOKEN, timeout=15)
        with self.assertRaises(kbsync.ServiceUnavailable) as raised:
            kb.submit_note("demo", "py-bot", "no key: not sent twice")
        self.assertEqual(raised.exception.retry_after, 2)
        self.assertEqual(kb.coordinator, URL)
        kb.ready()
        self.assertEqual(len(self.fake.calls), 1)

    def test_follows_a_jobs_events_on_the_next_when_the_first_answers_503(self):
        kb = kbsync.Client([self.fake.url, URL], token=TOKEN, timeout=15)
        job = kbsync.Client(URL, token=TOKEN).submit_note("demo", "py-bot", "events after a 503")
        self.assertEqual(kb.wait(job.id, timeout=30).state, "done")
        self.assertEqual(kb.coordinator, URL)

    def test_moves_back_to_the_first_once_it_is_ready_again(self):
        kb = kbsync.Client([self.fake.url, URL], token=TOKEN, timeout=15, probe_interval=0.1)
        kb.health()
        self.assertEqual(kb.coordinator, URL)
        self.fake.ready = True
        time.sleep(0.2)
        kb.health()  # starts the probe, beside the call
        deadline = time.monotonic() + 5
        while kb.coordinator != self.fake.url and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(kb.coordinator, self.fake.url)
        self.assertEqual(kb.coordinator_moves, 2)

    def test_moves_on_when_the_first_does_not_answer_the_connect_also_for_a_stream_without_timeout(self):
        # a listener whose accept queue is full and never accepted: further connects hang, as to a host gone from
        # the network
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        filling = []
        try:
            for _ in range(3):
                s = socket.socket()
                s.settimeout(0.2)
                try:
                    s.connect(silent.getsockname())
                except OSError:
                    s.close()
                    break
                filling.append(s)
            gone = f"http://127.0.0.1:{silent.getsockname()[1]}"
            job = kbsync.Client(URL, token=TOKEN).submit_note("demo", "py-bot", "a stream past a silent coordinator")
            outcome = {}

            def follow() -> None:
                kb = kbsync.Client([gone, URL], token=TOKEN, timeout=1)
                with kb.events(job.id) as events:  # no timeout of its own: the connect is still bounded
                    outcome["first"] = next(iter(events))
                outcome["coordinator"] = kb.coordinator

            thread = threading.Thread(target=follow, daemon=True)
            thread.start()
            thread.join(20)
            self.assertFalse(thread.is_alive(), "the stream hung on the silent coordinator's connect")
            self.assertEqual(outcome.get("coordinator"), URL)
            self.assertEqual(outcome["first"].job.id, job.id)
        finally:
            for s in filling:
                s.close()
            silent.close()

    def test_surfaces_the_last_failure_when_none_answers(self):
        kb = kbsync.Client([closed_port_url(), closed_port_url()], token=TOKEN, timeout=5)
        with self.assertRaises(kbsync.Unreachable):
            kb.health()


if __name__ == "__main__":
    unittest.main()
