-- Joins a KB queue at the tail (idempotent per ticket: a retried submit finds its ticket) and, when the ticket lands
-- first on a free KB, grants it in the same step; a KB without a driver gets the caller as its driver. A job's
-- submitted record is written with its ticket, so a job is never stored without being queued.
-- ARGV[11..]: ticket, kind (job|lease), holder (or user), ttlMs, type (note|agent; '' for a raw lease), job JSON, the
-- name of the token that submitted the job or asked for the raw lease ('' when unknown), its callback URL ('': none). A job restored from a degraded
-- coordinator's journal (submit.lua's submitted.ff, submitted.landed) is queued with the token of its first degraded
-- grant (the worker's exactly-once search reaches down to it), or stored done, never queued, when a degraded run
-- landed it; restored again while it still waits, it takes what the journal learned since.
-- Reply: {rank (-1: the ticket already ended), t (the ticket), job (a job's record), next (a grant made here, or
-- {busy}), dropped (dead waiters dropped from the head), avg (hold-time average, ms), eta (a queued job's ETA inputs,
-- see etaInputs), remaining (a submit's: see submit.lua)}.
local tid, kind = ARGV[11], ARGV[12]
local now = nowMs()
local t = getT(tid)
local fresh = false -- a new ticket: stored once this step knows whether it was granted at once
if not t then
  local seq = redis.call('incr', SEQ)
  t = {k = kind, h = ARGV[13], c = now, ttl = tonumber(ARGV[14]), th = seq, s = 'waiting', a = 0}
  if ARGV[17] ~= '' then -- the token that submitted the job or asked for the raw lease: it is that token's
    t.tk = ARGV[17]
  end
  if kind == 'job' then
    t.ty, t.js = ARGV[15], 'queued'
    if ARGV[18] and ARGV[18] ~= '' then
      t.cb = ARGV[18]
    end
    redis.call('hset', JOBS, tid, ARGV[16])
    indexAdd(now, tid)
    t.ff = submitted.ff
    t.ik = submitted.ik
    if submitted.run then -- handed to a worker by a degraded coordinator: it may have pushed (cancel.lua)
      t.hw = 1
    end
  end
  if kind == 'job' and submitted.landed then
    landedDegraded(tid, t, submitted.landed, now)
  else
    redis.call('zadd', QUEUE, seq, tid)
    fresh = true
  end
elseif kind == 'job' and t.js == 'queued' and (submitted.ff or submitted.landed) then
  -- Restored again (an earlier restore's answer was lost): what the journal learned since counts. The search reaches
  -- down to the first degraded grant, and a job a degraded run landed is not run again while it still waits.
  if submitted.ff and (not t.ff or submitted.ff < t.ff) then
    t.ff = submitted.ff
    t.ik = submitted.ik
  end
  if submitted.run then
    t.hw = math.max(t.hw or 0, 1)
  end
  if submitted.landed and t.s == 'waiting' then
    landedDegraded(tid, t, submitted.landed, now)
  else
    putT(tid, t)
  end
end
redis.call('set', DRIVER, COORDINATOR, 'NX', 'PX', DRIVER_TTL)
local dropped = {}
local next = nil
local rank = redis.call('zrank', QUEUE, tid)
if rank == 0 then
  next = grantHead(now, tid, dropped, t) -- a grant updates and stores t
  if t.s ~= 'granted' then
    rank = redis.call('zrank', QUEUE, tid)
    if not rank then
      t = getT(tid) -- a finished job at the head left the queue: answer its record as stored
    end
  end
end
if fresh and t.s == 'waiting' then
  putT(tid, t)
  if kind == 'lease' then
    redis.call('zadd', ALIVE, now + WAITER_TTL, tid) -- a raw waiter's keep-alive deadline
  end
end
local eta = nil
if rank and t.k == 'job' then
  eta = etaInputs(rank)
end
return cjson.encode({rank = rank or -1, t = t, job = t.k == 'job' and jobOf(tid) or nil, next = next,
  dropped = dropped, avg = tonumber(redis.call('hget', STATS, 'avg') or '0'), eta = eta,
  remaining = submitted.remaining})
