-- A worker's outcome for a job, recorded in the same step that checks its lease and releases the grant: the lease
-- must be the KB's grant of this job, or this job's own lease in the group commit it runs in. A report that comes
-- after the grant's expiry but before a sweep ended it is still recorded: nobody else was granted meanwhile, and the
-- work it reports may have landed (refusing it could fail a job whose commit is on the remote). A retry of
-- the same report (same lease) answers the recorded job again. The head of a group commit whose members still run
-- only records (the grant ends with the last of them). Ending the grant drops the RFairLock and grants the next
-- ticket here too.
-- ARGV[11]: ticket, ARGV[12]: lease id, ARGV[13]: done|failed, ARGV[14]: commit, ARGV[15]: files JSON, ARGV[16]:
-- error JSON, ARGV[17]: commit link (empty: none), ARGV[18]: an agent's answer (empty: none).
-- A head or group-commit member that reports STALE_FENCE while its grant is live (the branch carries a later fence
-- than the grant's: a degraded coordinator's local grant published meanwhile; the whole batch shares the token, and
-- members report before their head) is not failed while it has attempts left: the grant ends and the head and its
-- members go back to their places, to run again under a new, larger token.
-- The same for REMOTE_UNAVAILABLE: the worker waited for the KB's unreachable git remote until the grant's deadline,
-- and for DISK_FULL: the worker's own disk was full (another worker, or this one once space is freed, lands the job),
-- and for WORKER_SHUTDOWN: the worker's shutdown grace ran out before the push (nothing was published; another worker,
-- or this one after its restart, lands the job), and for PUSH_UNCERTAIN: its push failed in transport and no sync could
-- check whether it landed (the next run finds its commit by its trailers, or lands it; the ticket keeps pu, so that a
-- final failure of a later attempt says an earlier push may have landed; when the report ends a group commit's grant,
-- its head and unreported members keep pu too: they were in the same push).
-- While another job of the batch is on its last attempt and has not reported, a member's such report sends back that
-- member alone: the grant stays until the others report, so none goes past jobs.maxAttempts and none fails by another's
-- report (it may have landed already).
-- Reply: {result (recorded|requeued|repeated|lost|finished|unknown), t, job, ended (see endGrant) or nothing}.
local AGAIN = {STALE_FENCE = true, REMOTE_UNAVAILABLE = true, DISK_FULL = true, WORKER_SHUTDOWN = true,
  PUSH_UNCERTAIN = true}
local tid, lid = ARGV[11], ARGV[12]
local now = nowMs()
local t = getT(tid)
if not t or t.k ~= 'job' then
  return cjson.encode({result = 'unknown'})
end
local job = jobOf(tid)
if terminal(t) then
  local recorded = (t.o and t.l == lid) or t.ol == lid -- ol: a record from before the flag
  return cjson.encode({result = recorded and 'repeated' or 'finished', t = t, job = job})
end
local g = currentGrant()
local head = g and g.lease == lid and g.ticket == tid
local member = g and t.b == g.lease and t.l == lid
if not (head or member) then
  return cjson.encode({result = 'lost', t = t, job = job})
end
-- The grant's group-commit members other than `tid`.
local function others(tid)
  local rest = {}
  for _, m in ipairs(g.members) do
    if m ~= tid then
      rest[#rest + 1] = m
    end
  end
  return rest
end
-- Whether a job of a grant whose head has not reported, other than the member `tid`, is on its last attempt and has
-- not reported yet (the members still listed have not).
local function lastAttemptPending(tid)
  local pending = others(tid)
  pending[#pending + 1] = g.ticket
  for _, id in ipairs(pending) do
    local tj = getT(id)
    if tj and not terminal(tj) and tj.a >= MAX_ATTEMPTS then
      return true
    end
  end
  return false
end
if not g.done and ARGV[13] == 'failed' and ARGV[16] ~= '' and t.a < MAX_ATTEMPTS
    and AGAIN[cjson.decode(ARGV[16]).code] then
  local uncertain = cjson.decode(ARGV[16]).code == 'PUSH_UNCERTAIN'
  if uncertain then -- kept: the job's final error says it may have landed
    t.pu = 1
    putT(tid, t)
  end
  if member and lastAttemptPending(tid) then
    -- A job of the batch on its last attempt must not go back for another (jobs.maxAttempts), nor fail by this report:
    -- it may have landed already (found on the remote, it reports done). This member alone goes back to its place;
    -- the grant stays for the others, whose own reports end it.
    redis.call('hset', LEASE, 'batch', table.concat(others(tid), ' '))
    requeueJob(tid, t, 'released', true, now)
    return cjson.encode({result = 'requeued', t = getT(tid), job = job})
  end
  if uncertain then
    -- The batch's jobs were pushed together: that push may have landed each of them, and the grant ends here, so the
    -- head and the members that have not reported yet (their reports would come too late) keep the mark too.
    local batch = others(tid)
    batch[#batch + 1] = g.ticket
    for _, id in ipairs(batch) do
      local tj = id ~= tid and getT(id)
      if tj and not terminal(tj) then
        tj.pu = 1
        putT(id, tj)
      end
    end
  end
  local ended = endGrant(g, true, 'released', now)
  return cjson.encode({result = 'requeued', t = getT(tid), job = job, ended = ended})
end
t.js, t.fin, t.o = ARGV[13], now, 1 -- the job's last grant (l, which is lid) recorded the outcome
if ARGV[13] == 'done' then
  t.cm, t.fl = ARGV[14], ARGV[15]
  if ARGV[17] ~= '' then
    t.cu = ARGV[17]
  end
  if ARGV[18] ~= '' then
    t.rs = ARGV[18]
  end
else
  t.er = uncertainError(t, ARGV[16])
end
local ended = nil
if head then
  dueHook(tid, t, now)
  putT(tid, t)
  if #g.members > 0 then
    redis.call('hset', LEASE, 'done', 1)
  else
    ended = endGrant(g, false, 'released', now)
  end
else
  finishT(tid, t, 'released', now)
  local rest = others(tid)
  if #rest == 0 and g.done then
    g.members = {}
    ended = endGrant(g, false, 'released', now)
  else
    redis.call('hset', LEASE, 'batch', table.concat(rest, ' '))
  end
end
return cjson.encode({result = 'recorded', t = getT(tid), job = job, ended = ended})
