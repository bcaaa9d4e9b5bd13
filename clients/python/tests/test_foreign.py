"""Answers from a server that is not a kbsync coordinator (a wrong URL, or a proxy answering in its place).

Only kbsync's error JSON is the coordinator's error. Without it: a proxy's 502/503/504 is the coordinator's
unavailability, a proxy's 429 a rate limit, a proxy's 408 a request sent again once (as kbsync's own 408), and anything
else ``NotKbsync`` (not retried).
"""

import datetime
import email.utils
import time
import unittest

import kbsync
from local_server import LocalServer, Quiet

NGINX_404 = b"<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>"


class ForeignServer(LocalServer):
    """Answers every request with ``status``, an HTML body and ``Retry-After: 4``."""

    def __init__(self) -> None:
        self.status = 404
        self.body = NGINX_404
        self.content_type = "text/html"
        self.retry_after = "4"
        self.requests = 0
        foreign = self

        class Handler(Quiet):
            def answer(self) -> None:
                foreign.requests += 1
                head = {"Content-Type": foreign.content_type, "Retry-After": foreign.retry_after}
                self.send(foreign.status, foreign.body, head)

            do_GET = do_POST = do_PUT = do_DELETE = answer

        super().__init__(Handler)


class ForeignAnswerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.foreign = ForeignServer()
        self.client = kbsync.Client(self.foreign.url, timeout=5)

    def tearDown(self) -> None:
        self.foreign.close()

    def test_an_error_page_of_another_server_is_not_kbsync(self):
        for status in (404, 401, 403, 400, 500):
            with self.subTest(status=status):
                self.foreign.status = status
                with self.assertRaises(kbsync.NotKbsync) as raised:
                    self.client.job("j1")
                self.assertEqual(raised.exception.code, "NOT_KBSYNC")
                self.assertIn(self.foreign.url, raised.exception.message)
                self.assertIn(f"HTTP {status}", raised.exception.message)

    def test_an_answer_below_400_that_is_not_kbsyncs_json_is_not_kbsync(self):
        cases = ((200, b"<html><body>Welcome to nginx!</body></html>"), (200, b"[1, 2]"), (201, b'"ok"'),
                 (302, b"<html>302 Found</html>"), (302, b""), (301, b'{"id":"j1"}'), (307, b""))
        for status, body in cases:
            with self.subTest(status=status, body=body):
                self.foreign.status, self.foreign.body = status, body
                with self.assertRaises(kbsync.NotKbsync) as raised:
                    self.client.job("j1")
                self.assertEqual(raised.exception.code, "NOT_KBSYNC")
                self.assertIn(self.foreign.url, raised.exception.message)
                self.assertIn(f"HTTP {status}", raised.exception.message)

    def test_an_event_stream_answered_by_another_servers_page_or_a_redirect_is_not_kbsync(self):
        for status in (200, 302):
            with self.subTest(status=status):
                self.foreign.status = status
                with self.assertRaises(kbsync.NotKbsync) as raised:
                    with self.client.events("j1", timeout=5) as events:
                        list(events)
                self.assertIn(f"HTTP {status}", raised.exception.message)

    def test_a_304_is_still_a_file_not_modified(self):
        self.foreign.status, self.foreign.body = 304, b""
        self.assertIsNone(self.client.read_file("demo", "a.md", if_none_match='"e1"'))

    def test_a_proxys_gateway_error_is_the_coordinators_unavailability(self):
        for status in (502, 503, 504):
            with self.subTest(status=status):
                self.foreign.status = status
                with self.assertRaises(kbsync.ServiceUnavailable) as raised:
                    self.client.job("j1")
                self.assertEqual(raised.exception.code, f"HTTP_{status}")
                self.assertEqual(raised.exception.retry_after, 4.0)

    def test_a_proxys_too_many_requests_is_a_rate_limit(self):
        self.foreign.status = 429
        with self.assertRaises(kbsync.RateLimited) as raised:
            self.client.job("j1")
        self.assertEqual(raised.exception.code, "HTTP_429")
        self.assertEqual(raised.exception.retry_after, 4.0)

    def test_retry_after_in_seconds_with_a_fraction_or_as_an_http_date_capped_at_an_hour(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        in_a_minute = email.utils.format_datetime(now + datetime.timedelta(seconds=60), usegmt=True)
        an_hour_ago = email.utils.format_datetime(now - datetime.timedelta(hours=1), usegmt=True)
        kbsync_503 = b'{"error":{"code":"REDIS_UNAVAILABLE","message":"down"}}'
        cases = (("4", 4.0), (" 7 ", 7.0), ("1.5", 1.5), ("0.25", 0.25), ("Wed, 21 Oct 2099 07:28:00 GMT", 3600.0),
                 ("99999999999999999999999", 3600.0), ("7200", 3600.0), (an_hour_ago, 0.0),
                 ("soon", None), ("-3", None), ("1e3", None), ("nan", None), ("\u00b2", None), ("", None))
        for body in (kbsync_503, NGINX_404):  # the coordinator's 503, and a proxy's
            for header, seconds in cases:
                with self.subTest(body=body[:20], retry_after=header):
                    self.foreign.status, self.foreign.body, self.foreign.retry_after = 503, body, header
                    with self.assertRaises(kbsync.ServiceUnavailable) as raised:
                        self.client.job("j1")
                    self.assertEqual(raised.exception.retry_after, seconds)
        self.foreign.body, self.foreign.retry_after = kbsync_503, in_a_minute
        with self.assertRaises(kbsync.ServiceUnavailable) as raised:
            self.client.job("j1")
        self.assertTrue(55 <= raised.exception.retry_after <= 60, raised.exception.retry_after)

    def test_a_request_that_did_not_arrive_whole_in_time_is_sent_again_once(self):
        kbsync_408 = b'{"error":{"code":"REQUEST_TIMEOUT","message":"the request body did not arrive in time"}}'
        for body, code in ((kbsync_408, "REQUEST_TIMEOUT"), (b"<html>408 Request Time-out</html>", "HTTP_408")):
            with self.subTest(code=code):
                self.foreign.status, self.foreign.body, self.foreign.requests = 408, body, 0
                with self.assertRaises(kbsync.InvalidRequest) as raised:
                    self.client.submit_note("demo", "ann", "no key")
                self.assertEqual(raised.exception.status, 408)
                self.assertEqual(raised.exception.code, code)
                self.assertEqual(self.foreign.requests, 2, "nothing was done: sent again once, even without a key")


    def test_a_job_without_a_state_is_not_kbsync_and_ends_a_wait_at_once(self):
        # {"id": ...} alone (a stub, a wrong service) would otherwise read as a job in state "" that wait() polls
        # until its timeout
        self.foreign.content_type = "application/json"
        for body in (b'{"id":"j1"}', b'{"id":"j1","state":""}', b'{"id":"j1","state":7}'):
            with self.subTest(body=body):
                self.foreign.status, self.foreign.body = 200, body
                with self.assertRaises(kbsync.NotKbsync):
                    self.client.job("j1")
                started = time.monotonic()
                with self.assertRaises(kbsync.NotKbsync):
                    self.client.wait("j1", timeout=5)
                self.assertLess(time.monotonic() - started, 2.5)

    def test_a_2xx_answer_without_kbsyncs_fields_is_not_kbsync(self):
        # a wrong URL, or a proxy answering 200 in the coordinator's place: no bare KeyError, and wait() ends with it
        calls = {
            "job": lambda: self.client.job("j1"),
            "wait": lambda: self.client.wait("j1", timeout=5),
            "submit_note": lambda: self.client.submit_note("demo", "ann", "hi", idempotency_key="k1"),
            "submit_note_minimal": lambda: self.client.submit_note_minimal("demo", "ann", "hi", idempotency_key="k2"),
            "submit_agent_task": lambda: self.client.submit_agent_task("demo", "ann", "tidy", idempotency_key="k3"),
            "cancel": lambda: self.client.cancel("j1"),
            "retry": lambda: self.client.retry("j1"),
            "request_lease": lambda: self.client.request_lease("demo", "backup"),
            "lease": lambda: self.client.lease("l1"),
            "heartbeat": lambda: self.client.heartbeat("l1"),
            "release": lambda: self.client.release("l1"),
            "hold": lambda: self.client.hold("demo", "backup", wait=1),
            "whoami": lambda: self.client.whoami(),
            "tree": lambda: self.client.tree("demo"),
            "log": lambda: self.client.log("demo"),
            "read_file": lambda: self.client.read_file("demo", "a.md"),
        }
        self.foreign.content_type = "application/json"
        for body in (b"", b"{}", b'{"ok":true}'):
            for name, call in calls.items():
                with self.subTest(body=body, call=name):
                    self.foreign.status, self.foreign.body = 200, body
                    with self.assertRaises(kbsync.NotKbsync) as raised:
                        call()
                    self.assertEqual(raised.exception.code, "NOT_KBSYNC")
                    self.assertIn(self.foreign.url, raised.exception.message)
                    self.assertIn("fields", raised.exception.message)

    def test_an_answer_whose_fields_are_not_kbsyncs_is_not_kbsync(self):
        self.foreign.status, self.foreign.content_type = 200, "application/json"
        cases = {
            "jobs": (b'{"jobs":[{"state":"done"}]}', lambda: self.client.jobs()),
            "whoami": (b'{"name":"bot","role":"client","kbs":7,"users":["*"]}', lambda: self.client.whoami()),
            "tree": (b'{"kb":"demo","commit":"c1","entries":[{"path":"a.md","size":"big"}]}',
                     lambda: self.client.tree("demo")),
            "log": (b'{"kb":"demo","commit":"c1","commits":["c0"]}', lambda: self.client.log("demo")),
            "read_file": (b'{"kb":"demo","path":"a.md","commit":"c1","blobId":"b1","size":1,"encoding":"base64",'
                          b'"content":"not base64!"}', lambda: self.client.read_file("demo", "a.md")),
            "job": (b'{"id":"j1","ahead":"first"}', lambda: self.client.job("j1")),
        }
        for name, (body, call) in cases.items():
            with self.subTest(call=name):
                self.foreign.body = body
                with self.assertRaises(kbsync.NotKbsync) as raised:
                    call()
                self.assertIn("fields", raised.exception.message)


class ForeignStreamTest(unittest.TestCase):
    """An event stream (text/event-stream, 200) whose events' data is not a kbsync job."""

    def setUp(self) -> None:
        self.data = b"{}"
        foreign = self

        class Handler(Quiet):
            def do_GET(self) -> None:
                body = b"event: state\ndata: " + foreign.data + b"\n\n"
                self.send(200, body, {"Content-Type": "text/event-stream"})

        self.server = LocalServer(Handler)
        self.client = kbsync.Client(self.server.url, timeout=5)

    def tearDown(self) -> None:
        self.server.close()

    def test_an_event_whose_data_is_not_a_job_is_not_kbsync(self):
        for data in (b"{}", b'{"ok":true}', b"[1]", b'{"id":"j1","attempts":"many"}', b"not json"):
            with self.subTest(data=data):
                self.data = data
                with self.assertRaises(kbsync.NotKbsync) as raised:
                    with self.client.events("j1", timeout=5) as events:
                        list(events)
                self.assertIn(self.server.url, raised.exception.message)

    def test_follow_hands_an_event_that_is_not_a_job_to_on_error(self):
        failures = []
        subscription = self.client.follow("j1", lambda e: None, failures.append)
        self.assertTrue(subscription.join(5))
        self.assertEqual(len(failures), 1, failures)
        self.assertIsInstance(failures[0], kbsync.NotKbsync)


if __name__ == "__main__":
    unittest.main()
