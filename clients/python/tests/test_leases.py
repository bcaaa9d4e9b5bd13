"""The raw lease API against a running coordinator (KBSYNC_URL), on a KB of its own that no job uses."""

import os
import threading
import time
import unittest
import uuid

import kbsync

URL = os.environ.get("KBSYNC_URL")
TOKEN = os.environ.get("KBSYNC_TOKEN") or None


@unittest.skipUnless(URL, "KBSYNC_URL is not set: no coordinator to test against")
class LeaseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kb = kbsync.Client(URL, token=TOKEN, timeout=15)
        cls.kb.ready()

    def setUp(self):
        # a KB for this test alone (registering needs the admin role: the stack's coordinator runs with auth off)
        self.name = f"py-leases-{uuid.uuid4().hex[:12]}"
        self.kb._call("PUT", f"/v1/kbs/{self.name}", {"remote": f"/srv/{self.name}.git", "branch": "main"})

    def test_a_request_that_waits_is_answered_at_its_grant(self):
        first = self.kb.request_lease(self.name, "first", ttl_ms=60_000)
        self.assertTrue(first.granted)
        self.assertIsNotNone(first.fencing_token)
        answers = []
        waiter = threading.Thread(target=lambda: answers.append(self.kb.request_lease(self.name, "second", wait=20)))
        waiter.start()
        time.sleep(1.0)
        self.assertEqual(answers, [], "answered before the grant")

        self.assertEqual(self.kb.release(first.id).state, "released")
        waiter.join(20)

        second = answers[0]
        self.assertTrue(second.granted, second)
        self.assertEqual(second.holder, "second")
        self.assertGreater(second.fencing_token, first.fencing_token)
        self.kb.release(second.id)

    def test_a_request_whose_wait_runs_out_stays_queued(self):
        first = self.kb.request_lease(self.name, "first", ttl_ms=60_000)
        started = time.monotonic()

        second = self.kb.request_lease(self.name, "second", wait=1.0)

        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.assertEqual((second.state, second.ahead), ("waiting", 1))
        self.assertEqual(self.kb.heartbeat(second.id).state, "waiting")
        self.kb.release(second.id)
        self.kb.release(first.id)

    def test_hold_heartbeats_past_the_ttl_and_releases_at_the_end(self):
        with self.kb.hold(self.name, "holder", ttl_ms=1_000) as held:
            self.assertTrue(held.lease.granted)
            time.sleep(2.5)  # over two TTLs: kept by the background heartbeats
            self.assertEqual(self.kb.lease(held.lease.id).state, "granted")
            self.assertFalse(held.lost)
        self.assertEqual(self.kb.lease(held.lease.id).state, "released")

    def test_hold_releases_on_an_error_in_the_block(self):
        with self.assertRaises(RuntimeError):
            with self.kb.hold(self.name, "holder") as held:
                raise RuntimeError("the work failed")
        self.assertEqual(self.kb.lease(held.lease.id).state, "released")

    def test_hold_times_out_and_leaves_the_queue(self):
        first = self.kb.request_lease(self.name, "first", ttl_ms=60_000)
        with self.assertRaises(kbsync.TimedOut):
            with self.kb.hold(self.name, "late", wait=1.5):
                self.fail("not granted: the block does not run")
        queue = self.kb._call("GET", f"/v1/kbs/{self.name}/queue")
        self.assertEqual(queue["waiters"], [], "the late waiter left the queue")
        self.kb.release(first.id)

    def test_a_heartbeat_may_say_what_the_holder_is_doing(self):
        held = self.kb.request_lease(self.name, "backup", ttl_ms=60_000)
        try:
            self.assertEqual(self.kb.heartbeat(held.id, "copying\nfiles " + "x" * 300).state, "granted")
            self.assertEqual(self.kb.heartbeat(held.id).state, "granted")
        finally:
            self.kb.release(held.id)

    def test_a_bad_request_is_a_typed_error(self):
        with self.assertRaises(kbsync.InvalidRequest) as caught:
            self.kb.request_lease(self.name, "a b")
        self.assertEqual(caught.exception.code, "INVALID_HOLDER")
        with self.assertRaises(kbsync.InvalidRequest) as caught:
            self.kb.request_lease(self.name, "h", ttl_ms=10)
        self.assertEqual(caught.exception.code, "INVALID_TTL")
        with self.assertRaises(ValueError):
            self.kb.request_lease(self.name, "h", wait=-1)
        with self.assertRaises(kbsync.NotFound) as caught:
            self.kb.lease(f"{self.name}~nope")
        self.assertEqual(caught.exception.code, "LEASE_NOT_FOUND")


if __name__ == "__main__":
    unittest.main()
