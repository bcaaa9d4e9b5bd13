"""Tests against a running coordinator: KBSYNC_URL (and KBSYNC_TOKEN, KBSYNC_KB) in the environment.

dist's PythonClientIT starts a real `kbsync up` stack and runs them from `mvn verify`.
"""

import os
import threading
import unittest
import uuid

import kbsync

URL = os.environ.get("KBSYNC_URL")
TOKEN = os.environ.get("KBSYNC_TOKEN") or None
KB = os.environ.get("KBSYNC_KB", "demo")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def skip_if_route_missing(test: unittest.TestCase, error: kbsync.KbsyncError, route: str) -> None:
    """A coordinator of a version without `route` answers 404 NOT_FOUND / 405: skip, saying so."""
    if error.code in ("NOT_FOUND", "METHOD_NOT_ALLOWED"):
        test.skipTest(f"the coordinator has no {route} route (answered {error.status} {error.code})")
    raise error


@unittest.skipUnless(URL, "KBSYNC_URL is not set: no coordinator to test against")
class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kb = kbsync.Client(URL, token=TOKEN, timeout=15)
        cls.kb.ready()

    def note(self, text="hello from python", **kwargs) -> kbsync.Job:
        kwargs.setdefault("title", unique("py"))
        return self.kb.submit_note(KB, "py-bot", text, **kwargs)

    def test_submits_a_note_once_per_idempotency_key_and_waits_for_its_commit(self):
        key = unique("chat")
        first = self.note(idempotency_key=key)
        again = self.note(idempotency_key=key, title=first.raw["payload"]["title"])
        self.assertEqual(first.id, again.id)
        self.assertIn(first.state, ("queued", "running", "done"))
        done = self.kb.wait(first.id, timeout=30)
        self.assertEqual(done.state, "done", done.error)
        self.assertRegex(done.commit, r"^[0-9a-f]{40}$")
        self.assertEqual(done.files[0]["change"], "created")
        self.assertEqual(self.kb.job(first.id).commit, done.commit)

    def test_tells_what_its_token_may_do(self):
        try:
            info = self.kb.whoami()
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "GET /v1/whoami")
        self.assertIsInstance(info, kbsync.TokenInfo)
        self.assertIn(info.role, ("client", "worker", "admin"))
        self.assertTrue(info.kbs and info.users)
        self.assertGreaterEqual(info.quota, 0)
        if not TOKEN:  # auth off (kbsync up): every request is the operator's
            self.assertEqual((info.name, info.role, info.kbs), ("open", "admin", ["*"]))
            return
        self.assertNotIn(TOKEN, repr(info))
        with self.assertRaises(kbsync.Unauthenticated) as refused:
            kbsync.Client(URL, token="not-a-known-token-0000", timeout=15).whoami()
        self.assertEqual(refused.exception.code, "UNAUTHENTICATED")

    def test_gets_a_receipt_instead_of_the_whole_job_when_it_asks_for_the_short_answer(self):
        key = unique("short")
        receipt = self.kb.submit_note_minimal(KB, "py-bot", "a short answer", title=unique("py"), idempotency_key=key)
        self.assertIsInstance(receipt, kbsync.JobReceipt)
        self.assertEqual(set(receipt.raw), {"id", "kb", "state", "ahead", "etaMs", "etaP90Ms"})
        self.assertEqual(receipt.kb, KB)
        self.assertIn(receipt.state, ("queued", "running", "done"))
        job = self.kb.job(receipt.id)
        self.assertEqual(job.raw["payload"]["text"], "a short answer")
        task = self.kb.submit_agent_task_minimal(KB, "py-bot", "say hello", idempotency_key=unique("task"))
        self.assertNotIn("payload", task.raw)
        self.assertEqual(self.kb.job(task.id).kind, "agent")
        try:  # queued behind the note: nothing here is about running it
            self.kb.cancel(task.id)
        except kbsync.Conflict:
            pass  # a worker took it already
        self.assertEqual(self.kb.wait(receipt.id, timeout=30).state, "done")

    def test_iterates_a_jobs_events_until_it_finished(self):
        job = self.note()
        with self.kb.events(job.id, timeout=30) as events:
            seen = list(events)
        self.assertEqual(seen[0].name, "state")
        self.assertTrue(seen[-1].last)
        self.assertEqual(seen[-1].job.state, "done")
        self.assertTrue(all(not e.last for e in seen[:-1]))

    def test_follows_a_jobs_events_with_a_callback(self):
        job = self.note()
        seen, errors = [], []
        subscription = self.kb.follow(job.id, seen.append, errors.append)
        self.assertTrue(subscription.join(30), "the stream ends after the job finished")
        self.assertEqual(errors, [])
        self.assertEqual(seen[-1].job.state, "done")

    def test_cancelling_a_subscription_ends_it(self):
        job = self.note()
        self.kb.wait(job.id, timeout=30)
        started = threading.Event()
        subscription = self.kb.follow(job.id, lambda e: started.set())
        subscription.cancel()
        self.assertTrue(subscription.join(5))

    def test_wait_times_out_with_a_typed_error(self):
        jobs = [self.note(text=f"queued {i}") for i in range(5)]  # the last one waits behind four others
        with self.assertRaises(kbsync.TimedOut) as caught:
            self.kb.wait(jobs[-1].id, timeout=0.05)
        self.assertEqual(caught.exception.code, "TIMEOUT")
        self.assertEqual(self.kb.wait(jobs[-1].id, timeout=30).state, "done")

    def test_raises_typed_errors_for_the_apis_error_codes(self):
        with self.assertRaises(kbsync.InvalidRequest) as bad_user:
            self.kb.submit_note(KB, "not a user!", "x")
        self.assertEqual((bad_user.exception.status, bad_user.exception.code), (400, "INVALID_USER"))
        with self.assertRaises(kbsync.InvalidRequest) as blank:
            self.kb.submit_note(KB, "py-bot", "   ")
        self.assertEqual(blank.exception.code, "INVALID_TEXT")
        with self.assertRaises(kbsync.InvalidRequest) as escape:
            self.kb.submit_note(KB, "py-bot", "x", path="../outside.md")
        self.assertEqual(escape.exception.code, "INVALID_PATH")
        with self.assertRaises(kbsync.NotFound) as no_job:
            self.kb.job(unique("no-such-job"))
        self.assertEqual(no_job.exception.code, "JOB_NOT_FOUND")
        with self.assertRaises(kbsync.NotFound) as no_kb:
            self.kb.submit_note("no-such-kb", "py-bot", "x")
        self.assertEqual(no_kb.exception.code, "KB_NOT_FOUND")
        self.assertIsInstance(no_kb.exception, kbsync.Rejected)

    def test_deletes_an_idle_kb_and_names_a_busy_or_unknown_one(self):
        name = unique("py-gone")
        # the client registers no KBs: the test does it over the API itself
        self.kb._call("PUT", f"/v1/kbs/{name}", {"remote": f"https://git.example.com/{name}.git", "branch": "main"})
        lease = self.kb.request_lease(name, "py-holder")
        try:
            self.kb.delete_kb(name)
            self.fail("a KB whose lease is held was removed")
        except kbsync.Conflict as busy:
            self.assertEqual((busy.status, busy.code), (409, "KB_BUSY"))
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "DELETE /v1/kbs/{kb}")
        self.kb.release(lease.id)
        self.kb.delete_kb(name)
        with self.assertRaises(kbsync.NotFound) as gone:
            self.kb.delete_kb(name)
        self.assertEqual(gone.exception.code, "KB_NOT_FOUND")

    def test_an_unreachable_coordinator_is_a_typed_unavailable_error(self):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with self.assertRaises(kbsync.Unreachable) as caught:
            kbsync.Client(f"http://127.0.0.1:{port}", timeout=2).job("x")
        self.assertIsInstance(caught.exception, kbsync.Unavailable)
        with self.assertRaises(ValueError):
            kbsync.Client(URL, ca_file="/nonexistent/ca.pem")

    def test_lists_jobs_newest_first_by_user(self):
        user = unique("lister")[:60]
        ids = [self.kb.submit_note(KB, user, f"list {i}", title=unique("l")).id for i in range(3)]
        try:
            page = self.kb.jobs(kb=KB, user=user, limit=2)
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "GET /v1/jobs")
        self.assertEqual([j.id for j in page.jobs], ids[::-1][:2])
        rest = self.kb.jobs(kb=KB, user=user, limit=2, cursor=page.next_cursor)
        self.assertEqual([j.id for j in rest.jobs], ids[:1])
        for job_id in ids:
            self.kb.wait(job_id, timeout=30)

    def test_cancelling_a_finished_job_is_a_conflict(self):
        job = self.note()
        self.kb.wait(job.id, timeout=30)
        try:
            self.kb.cancel(job.id)
        except kbsync.Conflict as e:
            self.assertEqual(e.code, "JOB_ENDED")
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "DELETE /v1/jobs/{id}")
        else:
            self.fail("cancelling a finished job must be refused")

    def test_retries_a_cancelled_note_as_one_new_job_that_names_it(self):
        with self.kb.hold(KB, unique("py-holder")):  # the note waits behind the lease: its cancel is certain
            cancelled = self.kb.cancel(self.note(text="submitted again").id)
        self.assertEqual(cancelled.state, "cancelled")
        self.assertIsNone(cancelled.retry_of)
        try:
            again = self.kb.retry(cancelled.id)
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "POST /v1/jobs/{id}/retry")
        self.assertNotEqual(again.id, cancelled.id)
        self.assertEqual(again.retry_of, cancelled.id)
        self.assertEqual(again.retry_chain, [cancelled.id])
        self.assertEqual(cancelled.retry_chain, [])
        self.assertEqual(again.raw["payload"], cancelled.raw["payload"])
        self.assertEqual(self.kb.retry(cancelled.id).id, again.id, "the same retry repeated: the same new job")
        done = self.kb.wait(again.id, timeout=30)
        self.assertEqual(done.state, "done", done.error)
        self.assertEqual(done.retry_of, cancelled.id)
        with self.assertRaises(kbsync.Conflict) as refused:
            self.kb.retry(done.id)
        self.assertEqual(refused.exception.code, "JOB_NOT_RETRYABLE")

    def test_reads_its_own_write_from_the_snapshot(self):
        path = f"python/{unique('read')}.md"
        done = self.kb.wait(self.note(text="read me back", path=path).id, timeout=30)
        try:
            file = self.kb.read_file(KB, path, after=done.commit)
        except kbsync.KbsyncError as e:
            skip_if_route_missing(self, e, "GET /v1/kbs/{kb}/files/{path}")
        self.assertIn("read me back", file.text)
        self.assertEqual(file.path, path)
        self.assertIsNone(self.kb.read_file(KB, path, if_none_match=file.etag), "unchanged: 304")
        tree = self.kb.tree(KB, prefix="python/", after=done.commit)
        self.assertIn(path, [e.path for e in tree.entries])
        log = self.kb.log(KB, path=path, limit=5, after=done.commit)
        self.assertEqual(log.commits[0].id, done.commit)
        self.assertEqual(log.commits[0].job, done.id)
        with self.assertRaises(kbsync.NotFound) as missing:
            self.kb.read_file(KB, "python/no-such-file.md")
        self.assertEqual(missing.exception.code, "FILE_NOT_FOUND")
        with self.assertRaises(kbsync.InvalidRequest) as outside:
            self.kb.read_file(KB, ".git/config")
        self.assertEqual(outside.exception.code, "INVALID_PATH")


if __name__ == "__main__":
    unittest.main()


TLS_URL = os.environ.get("KBSYNC_TLS_URL")
TLS_TOKEN = os.environ.get("KBSYNC_TLS_TOKEN")
CA_FILE = os.environ.get("KBSYNC_CA_FILE")


@unittest.skipUnless(TLS_URL and TLS_TOKEN and CA_FILE, "KBSYNC_TLS_URL, KBSYNC_TLS_TOKEN, KBSYNC_CA_FILE not set")
class TlsAndTokenTest(unittest.TestCase):
    def test_sends_its_token_over_https_trusting_the_ca_file(self):
        kb = kbsync.Client(TLS_URL, token=TLS_TOKEN, ca_file=CA_FILE, timeout=15)
        job = kb.submit_note(KB, "py-tls", "over https", title=unique("tls"), idempotency_key=unique("tls"))
        self.assertEqual(kb.job(job.id).id, job.id)
        self.assertTrue(kb.tree(KB).commit)
        info = kb.whoami()
        self.assertEqual((info.role, info.kbs, info.users, info.quota), ("client", ["*"], ["*"], 0))
        self.assertTrue(info.name.startswith("client-"), info.name)
        self.assertNotIn(TLS_TOKEN, repr(info))

    def test_refuses_a_missing_or_wrong_token_and_an_untrusted_certificate(self):
        for token in (None, "wrong-token-000000000000"):
            with self.assertRaises(kbsync.Unauthenticated) as caught:
                kbsync.Client(TLS_URL, token=token, ca_file=CA_FILE).job("x")
            self.assertEqual((caught.exception.status, caught.exception.code), (401, "UNAUTHENTICATED"))
        with self.assertRaises(kbsync.Unreachable):
            kbsync.Client(TLS_URL, token=TLS_TOKEN).job("x")  # the system trust store does not know the private CA
