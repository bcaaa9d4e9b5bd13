import io
import threading
import time
import unittest

from kbsync.errors import (
    Conflict, Forbidden, InvalidRequest, LeaseLost, NotFound, RateLimited, Rejected, ServerError,
    ServiceUnavailable, TimedOut, Unauthenticated, Unavailable, Unreachable, from_answer,
)
from kbsync.sse import read_events


class SseTest(unittest.TestCase):
    def test_reads_named_events_with_multi_line_data_and_skips_comments(self):
        stream = io.BytesIO(b": kbsync\n\nevent: state\ndata: {\"a\":1}\n\n: keep-alive\n\n"
                            b"event: position\r\ndata:x\r\ndata: y\r\n\r\ndata: unnamed\n\n")
        self.assertEqual(list(read_events(stream)),
                         [("state", '{"a":1}'), ("position", "x\ny"), ("message", "unnamed")])

    def test_drops_an_event_cut_off_by_the_end_of_the_stream(self):
        self.assertEqual(list(read_events(io.BytesIO(b"event: state\ndata: {}\n"))), [])


class JobEventsTest(unittest.TestCase):
    def test_an_error_event_ends_the_stream_with_a_typed_error(self):
        from kbsync.client import JobEvents

        job = ('{"id":"kb~1","kb":"kb","kind":"note","user":"u","state":"queued","ahead":0,'
               '"payload":{"text":"t"},"attempts":0,"createdAt":"2026-12-04T00:00:00Z"}')
        body = ("event: state\ndata: " + job + "\n\n"
                'event: error\ndata: {"error":{"code":"SLOW_CONSUMER","message":"dropped"}}\n\n').encode()

        class Closing:
            sock = None

            def close(self):
                pass

        events = JobEvents(io.BytesIO(body), Closing())
        seen = []
        with self.assertRaises(ServiceUnavailable) as raised:
            for event in events:
                seen.append(event.name)
        self.assertEqual(seen, ["state"])
        self.assertEqual(raised.exception.code, "SLOW_CONSUMER")


    def test_a_doing_event_tells_what_the_running_jobs_worker_does_now_and_unknown_ones_are_skipped(self):
        from kbsync.client import JobEvents

        job = ('{"id":"kb~1","kb":"kb","kind":"note","user":"u","state":"running","ahead":0,'
               '"payload":{"text":"t"},"attempts":1,"createdAt":"2026-12-04T00:00:00Z"')
        waiting = "waiting for https://git.example.com/kb.git to answer: unreachable since 2026-12-06T05:41:07Z"
        body = ("event: state\ndata: " + job + "}\n\n"
                "event: doing\ndata: " + job + ',"doing":"' + waiting + '"}\n\n'
                "event: later\ndata: {}\n\n"
                "event: doing\ndata: " + job + ',"doing":"committing"}\n\n').encode()

        class Closing:
            sock = None

            def close(self):
                pass

        seen = [(e.name, e.job.doing, e.last) for e in JobEvents(io.BytesIO(body), Closing())]
        self.assertEqual(seen, [("state", None, False), ("doing", waiting, False), ("doing", "committing", False)])


class SilentStreamTest(unittest.TestCase):
    """A stream whose peer went silent without closing (a network partition, a half-open connection): the local
    server sends the stream's headers and its opening comment, then nothing, never closing. For a job named
    ``announced`` it names a keep-alive period of 1 s (``X-Kbsync-Keep-Alive-Seconds``), as a coordinator does."""

    def setUp(self) -> None:
        from local_server import LocalServer, Quiet

        self.released = threading.Event()
        released = self.released

        class Handler(Quiet):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                if "announced" in self.path:
                    self.send_header("X-Kbsync-Keep-Alive-Seconds", "1")
                self.end_headers()
                self.wfile.write(b": kbsync\n\n")
                self.wfile.flush()
                released.wait(30)

        self.server = LocalServer(Handler)

    def tearDown(self) -> None:
        self.released.set()
        self.server.close()

    def test_events_without_a_timeout_give_up_after_the_streams_idle_timeout(self):
        import kbsync

        self.assert_given_up_within(kbsync.Client(self.server.url, timeout=5, stream_idle_timeout=0.5), "kb~1", 3)

    def test_events_without_a_timeout_give_up_after_two_and_a_half_announced_keep_alive_periods(self):
        import kbsync

        # 2.5 s, not the client's own 60 s: a period the coordinator names bounds the silence, also a shorter one
        self.assert_given_up_within(kbsync.Client(self.server.url, timeout=5), "kb~announced", 6)

    def assert_given_up_within(self, kb, job_id: str, seconds: float) -> None:
        """Reads the job's events on a thread: they end within ``seconds`` with an :class:`Unavailable`."""
        outcome = []

        def read() -> None:
            try:
                with kb.events(job_id) as events:
                    outcome.extend(events)
            except BaseException as e:  # noqa: BLE001 - what the test looks at
                outcome.append(e)

        thread = threading.Thread(target=read, daemon=True)
        started = time.monotonic()
        thread.start()
        thread.join(10)
        self.assertFalse(thread.is_alive(), "the stream hung on a silent peer")
        self.assertLess(time.monotonic() - started, seconds)
        self.assertEqual(len(outcome), 1, outcome)
        self.assertIsInstance(outcome[0], Unavailable)

    def test_follow_reports_a_silent_stream_to_on_error(self):
        import kbsync

        def follow() -> None:
            kb = kbsync.Client(self.server.url, timeout=5, stream_idle_timeout=0.5)
            errors = []
            subscription = kb.follow("kb~1", lambda e: None, errors.append)
            self.assertTrue(subscription.join(10), "the subscription hung on a silent peer")
            self.assertEqual(len(errors), 1, errors)
            self.assertIsInstance(errors[0], Unavailable)

        self.assert_no_socket_left_open(follow)

    def test_closing_a_stream_ends_its_iteration_at_once_and_closes_its_socket(self):
        import kbsync

        def close_while_read() -> None:
            kb = kbsync.Client(self.server.url, timeout=5, stream_idle_timeout=10)
            outcome = []
            with kb.events("kb~1") as events:
                def read() -> None:
                    try:
                        outcome.extend(events)
                    except BaseException as e:  # noqa: BLE001 - what the test looks at
                        outcome.append(e)

                thread = threading.Thread(target=read, daemon=True)
                thread.start()
                time.sleep(0.2)  # the reader waits in the silent stream
                started = time.monotonic()
                events.close()
                thread.join(5)
                self.assertFalse(thread.is_alive(), "close() did not end the iteration")
                self.assertLess(time.monotonic() - started, 1, "the iteration ended by the idle timeout, not close()")
                self.assertEqual(outcome, [])

        self.assert_no_socket_left_open(close_while_read)

    def assert_no_socket_left_open(self, body) -> None:
        """Runs ``body``; every socket it opened was closed, not left to the garbage collector (ResourceWarning)."""
        import gc
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            body()
            gc.collect()
        left = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
        self.assertEqual(left, [], "a stream's socket was left open")


class LongKeepAliveTest(unittest.TestCase):
    """A coordinator whose keep-alive period (``X-Kbsync-Keep-Alive-Seconds``) is longer than the client's stream idle
    timeout: its stream, silent for a period between keep-alives, is not taken for broken."""

    def setUp(self) -> None:
        from local_server import LocalServer, Quiet

        job = ('{"id":"kb~1","kb":"kb","kind":"note","user":"u","state":"done","ahead":0,'
               '"payload":{"text":"t"},"attempts":1,"createdAt":"2026-12-04T00:00:00Z"}')

        class Handler(Quiet):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("X-Kbsync-Keep-Alive-Seconds", "1")
                self.end_headers()
                self.wfile.write(b": kbsync\n\n")
                self.wfile.flush()
                time.sleep(1.2)  # one period and a little: silent longer than the client's own 0.5 s
                self.wfile.write(("event: state\ndata: " + job + "\n\n").encode())
                self.wfile.flush()

        self.server = LocalServer(Handler)

    def tearDown(self) -> None:
        self.server.close()

    def test_a_stream_silent_for_one_keep_alive_period_longer_than_the_idle_timeout_goes_on(self):
        import kbsync

        kb = kbsync.Client(self.server.url, timeout=5, stream_idle_timeout=0.5)
        with kb.events("kb~1") as events:
            states = [event.job.state for event in events]
        self.assertEqual(states, ["done"])


class CancelTest(unittest.TestCase):
    def test_no_callback_runs_after_cancel_also_for_events_already_read(self):
        import kbsync
        from local_server import LocalServer, Quiet

        job = ('{"id":"kb~1","kb":"kb","kind":"note","user":"u","state":"%s","ahead":0,'
               '"payload":{"text":"t"},"attempts":0,"createdAt":"2026-12-04T00:00:00Z"}')
        frames = "".join("event: state\ndata: " + job % state + "\n\n" for state in ("queued", "running", "done"))
        released = threading.Event()

        class Handler(Quiet):
            def do_GET(self) -> None:  # HTTP/1.0: the stream ends with the connection; all three events in one write
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(frames.encode())
                self.wfile.flush()
                released.wait(30)

        server = LocalServer(Handler)
        try:
            seen, errors = [], []
            in_callback, cancelled = threading.Event(), threading.Event()

            def on_event(event) -> None:
                seen.append(event.job.state)
                in_callback.set()
                cancelled.wait(5)

            kb = kbsync.Client(server.url, timeout=5, stream_idle_timeout=1)
            subscription = kb.follow("kb~1", on_event, errors.append)
            self.assertTrue(in_callback.wait(5))
            subscription.cancel()  # while the first callback runs, the next events read already
            cancelled.set()
            self.assertTrue(subscription.join(5))
            self.assertEqual(seen, ["queued"], "a callback ran after cancel() returned")
            self.assertEqual(errors, [])
        finally:
            released.set()
            server.close()


class HeldTest(unittest.TestCase):
    def test_a_heartbeat_refused_for_good_marks_the_lease_lost(self):
        from kbsync.client import Held
        from kbsync.models import Lease

        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, None, None, 600, {})

        class RotatedToken:
            _timeout = 15.0

            def heartbeat(self, lease_id, timeout=None):
                raise Unauthenticated(401, "UNAUTHENTICATED", "unknown token")

            def _release_quietly(self, lease_id):
                pass

        with Held(RotatedToken(), lease) as held:
            deadline = time.monotonic() + 5
            while not held.lost and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(held.lost, "heartbeats that can no longer keep the lease: it is lost, not held")

    def test_a_grant_whose_expiry_is_sooner_than_its_ttl_is_beaten_at_once_and_lost_by_that_expiry(self):
        # a grant made from the queue lapses by its waiter keep-alive, a few seconds after the grant, whatever its TTL
        from kbsync.client import Held
        from kbsync.models import Lease

        granted, expires = "2026-12-06T21:00:00.123456789Z", "2026-12-06T21:00:01.623456789Z"
        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, expires, None, 30_000,
                      {"grantedAt": granted, "expiresAt": expires})

        class Down:
            _timeout = 15.0

            def __init__(self):
                self.calls = 0

            def heartbeat(self, lease_id, timeout=None):
                self.calls += 1
                raise ServiceUnavailable(503, "REDIS_UNAVAILABLE", "down", 1.0)

            def _release_quietly(self, lease_id):
                pass

        client = Down()
        with Held(client, lease) as held:
            deadline = time.monotonic() + 2
            while client.calls == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertGreater(client.calls, 0, "a heartbeat at once, not after a third of the 30 s TTL")
            deadline = time.monotonic() + 4
            while not held.lost and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(held.lost, "lost once the grant's own expiry (1.5 s) passed, not after its 30 s TTL")

    def test_heartbeats_that_find_no_coordinator_for_the_ttl_mark_the_lease_lost(self):
        from kbsync.client import Held
        from kbsync.models import Lease

        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, None, None, 1000, {})

        class Partitioned:
            _timeout = 15.0

            def __init__(self):
                self.timeouts = []

            def heartbeat(self, lease_id, timeout=None):
                self.timeouts.append(timeout)
                failure = (ServiceUnavailable(503, "REDIS_UNAVAILABLE", "down", 1.0),
                           TimedOut(0, "TIMEOUT", "no answer"), Unreachable(0, "UNREACHABLE", "refused"))
                raise failure[len(self.timeouts) % 3]

            def _release_quietly(self, lease_id):
                pass

        client = Partitioned()
        started = time.monotonic()
        with Held(client, lease) as held:
            time.sleep(0.5)
            self.assertFalse(held.lost, "within its TTL the lease is still held")
            while not held.lost and time.monotonic() < started + 5:
                time.sleep(0.02)
            self.assertTrue(held.lost, "no heartbeat went through for the TTL: the KB may be someone else's now")
            self.assertLess(time.monotonic() - started, 1.5)
            self.assertIsNone(held.error)
        self.assertTrue(client.timeouts)
        self.assertTrue(all(t is not None and t <= 1.0 for t in client.timeouts), client.timeouts)

    def test_a_heartbeat_without_an_answer_takes_no_longer_than_the_time_the_lease_has_left(self):
        import json
        import kbsync
        from kbsync.client import Held
        from kbsync.models import Lease
        from local_server import LocalServer, Quiet

        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, None, None, 1000, {})

        hung = threading.Event()

        class Handler(Quiet):
            def do_POST(self):  # a heartbeat: no answer for far longer than the TTL (a coordinator that hangs)
                hung.wait(10)
                self.close_connection = True

            def do_DELETE(self):
                self.send(200, json.dumps({"id": "kb~t", "state": "expired"}).encode())

        server = LocalServer(Handler)
        try:
            started = time.monotonic()
            with Held(kbsync.Client(server.url, timeout=15), lease) as held:
                while not held.lost and time.monotonic() < started + 5:
                    time.sleep(0.02)
                self.assertTrue(held.lost)
                self.assertLess(time.monotonic() - started, 1.5)
            self.assertLess(time.monotonic() - started, 2.5, "the heartbeat gave up when the lease lapsed")
        finally:
            hung.set()
            server.close()

    def test_a_heartbeat_that_goes_through_keeps_the_lease_for_its_ttl_again(self):
        from kbsync.client import Held
        from kbsync.models import Lease

        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, None, None, 600, {})

        class Flaky:
            _timeout = 15.0
            calls = 0

            def heartbeat(self, lease_id, timeout=None):
                Flaky.calls += 1
                if Flaky.calls % 2:
                    raise TimedOut(0, "TIMEOUT", "no answer")
                return lease

            def _release_quietly(self, lease_id):
                pass

        with Held(Flaky(), lease) as held:
            time.sleep(1.3)  # over two TTLs, every other heartbeat through
            self.assertFalse(held.lost)


    def test_a_held_lease_is_lost_at_its_deadline_whatever_the_heartbeats_say(self):
        # the coordinator caps each heartbeat's expiry at the grant's deadline (min(now + ttl, deadline)): a holder
        # that counts a whole TTL from each heartbeat would go on writing after the KB went to the next waiter
        import datetime
        import json
        import kbsync
        from kbsync.client import Held
        from kbsync.models import Lease
        from local_server import LocalServer, Quiet

        def text(moment):
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"

        now = datetime.datetime.now(datetime.timezone.utc)
        # a 3 s span: room for a loaded machine's first heartbeat before the deadline
        granted, deadline, ttl = now, now + datetime.timedelta(seconds=3), datetime.timedelta(seconds=30)
        beats = []

        def lease_json(expires):
            return {"id": "kb~t", "kb": "kb", "holder": "h", "state": "granted", "ahead": 0, "fencingToken": 7,
                    "grantedAt": text(granted), "expiresAt": text(expires), "deadlineAt": text(deadline),
                    "ttlMs": 30_000}

        class Handler(Quiet):
            def do_POST(self):  # a heartbeat, answered as the coordinator does: the expiry capped at the deadline
                beats.append(time.monotonic())
                expires = min(datetime.datetime.now(datetime.timezone.utc) + ttl, deadline)
                self.send(200, json.dumps(lease_json(expires)).encode())

            def do_DELETE(self):
                self.send(200, json.dumps(dict(lease_json(deadline), state="expired")).encode())

        server = LocalServer(Handler)
        try:
            with Held(kbsync.Client(server.url, timeout=5), Lease.from_json(lease_json(deadline))) as held:
                started = time.monotonic()
                while not beats and time.monotonic() < started + 2:
                    time.sleep(0.02)
                self.assertTrue(beats, "beaten at once")
                self.assertFalse(held.lost, "before its deadline: held")
                left = (deadline - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
                time.sleep(max(0.0, left) + 1.0)
                self.assertTrue(held.lost, "lost 1 s after its deadline")
        finally:
            server.close()

    def test_a_grant_that_came_late_in_a_long_poll_counts_its_window_from_the_answer(self):
        # a long poll that waited 2 s in the queue brings a grant lapsing 1.5 s after it was made: the lease is held,
        # and beaten at once, not taken for lost because the request went out more than 1.5 s before
        from kbsync.client import Client
        from kbsync.models import Lease

        granted, expires = "2026-12-06T21:00:00.000000000Z", "2026-12-06T21:00:01.500000000Z"
        lease = Lease("kb~t", "kb", "h", "granted", 0, 7, expires, None, 30_000,
                      {"grantedAt": granted, "expiresAt": expires})
        client = Client("http://127.0.0.1:9", timeout=1.0)
        beats = []

        def request_lease(kb, holder, ttl_ms=None, wait=0.0):
            time.sleep(2.0)  # in the queue; granted just before the answer
            return lease

        def heartbeat(lease_id, doing=None, timeout=None):
            beats.append(time.monotonic())
            return lease

        client.request_lease = request_lease
        client.heartbeat = heartbeat
        client._release_quietly = lambda lease_id: None
        with client.hold("kb", "h", wait=10) as held:
            self.assertFalse(held.lost, "granted just now: held")
            deadline = time.monotonic() + 2
            while not beats and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(beats, "beaten at once")
            self.assertFalse(held.lost)

    def _polled_client(self, grant_after_first_poll, deadline_after, ttl_ms, long_poll=0.0):
        # a client whose lease request answers waiting (after long_poll seconds) and whose heartbeats answer as the
        # coordinator does once the grant was made: granted, the expiry capped at the deadline
        import datetime
        from kbsync.client import Client
        from kbsync.models import Lease

        def text(moment):
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"

        state = {"grant": None}

        def lease(status, expires=None):
            grant = state["grant"]
            raw = {"id": "kb~t", "kb": "kb", "holder": "h", "state": status, "ahead": 0 if grant else 1,
                   "fencingToken": 7 if status == "granted" else None, "ttlMs": ttl_ms}
            if status == "granted":
                deadline = grant + datetime.timedelta(seconds=deadline_after)
                raw.update(grantedAt=text(grant), expiresAt=text(min(expires, deadline)), deadlineAt=text(deadline))
            return Lease.from_json(raw)

        def now():
            return datetime.datetime.now(datetime.timezone.utc)

        def request_lease(kb, holder, ttl_ms=None, wait=0.0):
            time.sleep(long_poll)
            if not grant_after_first_poll:
                state["grant"] = now() + datetime.timedelta(seconds=0.02)
            return lease("waiting")

        def heartbeat(lease_id, doing=None, timeout=None):
            if state["grant"] is None:
                state["grant"] = now() + datetime.timedelta(seconds=0.02)  # granted just after this poll
                return lease("waiting")
            return lease("granted", now() + datetime.timedelta(milliseconds=ttl_ms))

        client = Client("http://127.0.0.1:9", timeout=1.0)
        client.request_lease = request_lease
        client.heartbeat = heartbeat
        client._release_quietly = lambda lease_id: None

        def seconds_to_deadline():
            return (state["grant"] + datetime.timedelta(seconds=deadline_after) - now()).total_seconds()

        return client, seconds_to_deadline

    def test_a_grant_learned_by_polling_counts_its_hard_end_from_before_the_grant(self):
        # the grant came just after the first poll, and the next poll learned of it a second later: its hard end
        # counts from that first poll (the last request answered waiting), not from when the grant was learned
        client, to_deadline = self._polled_client(True, 2.5, 30_000)
        with client.hold("kb", "h", wait=10) as held:
            time.sleep(max(0.0, to_deadline()) + 0.3)
            self.assertTrue(held.lost, "lost 0.3 s after its deadline")

    def test_a_grant_the_first_poll_after_a_long_poll_learned_is_not_ended_seconds_early(self):
        # the long poll went out 2 s before the grant: the heartbeat's answer tells how long after the grant it was
        # taken (its expiry less its TTL, on the coordinator's clock), so the hold ends at its deadline, not 2 s before
        client, to_deadline = self._polled_client(False, 4.0, 600, long_poll=2.0)
        with client.hold("kb", "h", wait=10) as held:
            time.sleep(max(0.0, to_deadline() - 0.7))
            self.assertFalse(held.lost, "held 0.7 s before its deadline")
            time.sleep(1.0)
            self.assertTrue(held.lost, "lost 0.3 s after it")


class ErrorsTest(unittest.TestCase):
    def test_maps_each_status_and_code_to_its_type(self):
        cases = {
            (401, "UNAUTHENTICATED"): Unauthenticated, (403, "SCOPE_KB"): Forbidden,
            (404, "JOB_NOT_FOUND"): NotFound, (409, "LEASE_LOST"): LeaseLost, (409, "JOB_FINISHED"): Conflict,
            (429, "RATE_LIMITED"): RateLimited, (400, "INVALID_PATH"): InvalidRequest,
            (503, "REDIS_UNAVAILABLE"): ServiceUnavailable, (500, "INTERNAL"): ServerError,
        }
        for (status, code), cls in cases.items():
            error = from_answer(status, code, "m", 3.0)
            self.assertIs(type(error), cls)
            self.assertEqual((error.status, error.code, error.retry_after), (status, code, 3.0))
            self.assertIsInstance(error, Rejected if status < 500 else Unavailable)



class ReadmeTest(unittest.TestCase):
    def test_the_bot_example_in_the_readme_is_valid_python_of_at_most_ten_lines(self):
        import ast
        import pathlib

        readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
        example = readme.split("```python", 1)[1].split("```", 1)[0]
        ast.parse(example)
        lines = [line for line in example.splitlines() if line.strip()]
        self.assertLessEqual(len(lines), 10, example)


if __name__ == "__main__":
    unittest.main()
