-- Cancels a job no worker took yet, in one step, so a grant racing with it is decided here: a waiting job leaves the
-- queue; a job granted but not yet claimed gives its grant up (its RFairLock dropped). Either way the job ends
-- cancelled (terminal: it never lands) and the next ticket is granted in the same step. A job a worker took (running,
-- or a group-commit member, or back in the queue after a worker had it) is refused, and so is a caller that is not
-- the job's submitting token.
-- ARGV[11]: ticket, ARGV[12]: the caller's token name ('': any caller, an admin).
-- Reply: {result (cancelled|running|ended|forbidden|unknown), t, job, ended (see endGrant), next, dropped}.
local tid, caller = ARGV[11], ARGV[12]
local now = nowMs()
local t = getT(tid)
if not t or t.k ~= 'job' then
  return cjson.encode({result = 'unknown'})
end
local job = jobOf(tid)
if otherTokens(t, caller) then
  return cjson.encode({result = 'forbidden', t = t, job = job})
end
if terminal(t) then
  return cjson.encode({result = 'ended', t = t, job = job})
end
-- a job back in the queue after a worker had it (silent, lease lapsed or released, a retryable failure, or handed out
-- by a degraded coordinator during an outage: hw, claims not given back unrun; a of an earlier version's ticket) may
-- have been pushed by that worker (its next run finds the commit), so it runs to its outcome too. A worker's
-- give-back of a job it never ran takes its claim back.
if t.js ~= 'queued' or t.b or (t.hw or 0) > 0 or (t.a or 0) > 0 then
  return cjson.encode({result = 'running', t = t, job = job})
end
t.js, t.fin = 'cancelled', now
local g = currentGrant()
if g and g.ticket == tid then
  putT(tid, t)
  local ended = endGrant(g, false, 'released', now)
  return cjson.encode({result = 'cancelled', t = getT(tid), job = job, ended = ended})
end
finishT(tid, t, 'released', now)
local dropped = {}
return cjson.encode({result = 'cancelled', t = t, job = job, next = grantHead(now, nil, dropped), dropped = dropped})
