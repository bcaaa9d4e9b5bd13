"""What a holder says it is doing: sent with a heartbeat as the coordinator takes it, and read on a running job."""

import json
import unittest

import kbsync
from kbsync.client import DOING_MAX, clean_doing
from kbsync.models import Job
from local_server import LocalServer, Quiet

LEASE = {"id": "team~1", "kb": "team", "holder": "h", "state": "granted", "ahead": 0, "fencingToken": 7}


class RecordingServer(LocalServer):
    """Answers every heartbeat with a granted lease and keeps each request's body (None: none sent)."""

    def __init__(self) -> None:
        self.bodies = []
        recording = self

        class Handler(Quiet):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recording.bodies.append(json.loads(self.rfile.read(length)) if length else None)
                del self.headers["Content-Length"]  # read already: send() must not wait for it again
                self.send(200, json.dumps(LEASE).encode("utf-8"), {"Content-Type": "application/json"})

        super().__init__(Handler)


class DoingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = RecordingServer()
        self.client = kbsync.Client(self.server.url, timeout=5)

    def tearDown(self) -> None:
        self.server.close()

    def test_a_heartbeat_says_what_the_holder_is_doing_cleaned_to_what_the_coordinator_takes(self):
        self.assertTrue(self.client.heartbeat("team~1", "copying\nfiles\u0085now\t" + "x" * 300).granted)
        self.assertTrue(self.client.heartbeat("team~1").granted)

        said, plain = self.server.bodies
        self.assertTrue(said["doing"].startswith("copying files now x"))
        self.assertEqual(len(said["doing"]), DOING_MAX)
        self.assertIsNone(plain, "without doing a heartbeat sends no body, as before")

    def test_cleaning_counts_utf16_units_and_never_cuts_a_character(self):
        self.assertEqual(clean_doing("a\ud800b"), "a b")
        cut = clean_doing("x" * 199 + "\U0001F600")
        self.assertEqual(cut, "x" * 199, "an emoji takes two units: it does not fit in the last one")

    def test_a_running_job_reads_what_its_worker_is_doing_and_another_job_none(self):
        job = {"id": "team~j1", "kb": "team", "kind": "note", "user": "ada", "state": "running", "attempts": 1}
        self.assertEqual(Job.from_json(dict(job, doing="writing the note")).doing, "writing the note")
        self.assertIsNone(Job.from_json(dict(job, state="queued")).doing)


if __name__ == "__main__":
    unittest.main()
