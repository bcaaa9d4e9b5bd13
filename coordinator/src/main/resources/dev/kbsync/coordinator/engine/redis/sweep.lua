-- One coordinator's periodic pass over a KB, all in one step: raw waiters whose keep-alive lapsed leave the queue; a
-- grant past its expiry (reason ttl) or its deadline (max) ends here (a raw lease expires; a job goes back to queued,
-- or fails on its last attempt) and the next ticket is granted; up to 100 records past their retention are deleted
-- (and leave the recent-jobs lists, the job index and the due webhooks); the KB's driver key is claimed or renewed.
-- Reply: {driver (mine|claimed|other|none), queue (length after the pass), dropped, ended (see endGrant), next (a
-- grant made after dropped waiters), purged, unclaimed (a live job grant no worker took yet: it must be on the ready
-- set, also if the coordinator that granted it died before putting it there), quiet (nothing to do until something
-- happens to the KB: no ticket, no grant, no waiter), wake (a quiet KB's ms until its next record passes its
-- retention or its next webhook falls due; absent: none)}.
local now = nowMs()
local dropped = {}
for _, tid in ipairs(redis.call('zrangebyscore', ALIVE, '-inf', '(' .. now)) do
  local t = getT(tid)
  if t and t.s == 'waiting' then
    finishT(tid, t, 'expired', now)
  else
    redis.call('zrem', ALIVE, tid)
  end
  dropped[#dropped + 1] = tid
end
local ended, next = nil, nil
local g = currentGrant()
if g and now > g.expires then
  ended = endGrant(g, true, g.expires >= g.deadline and 'max' or 'ttl', now)
elseif not g and #dropped > 0 then
  next = grantHead(now, nil, dropped)
end
-- Records past their retention: raw leases (and jobs that ended before jobs left the ended set) by the ended set;
-- jobs through the index, by creation time: a job created more than the retention ago is deleted once it left the
-- queue (s released or expired) the retention ago (fin, else e: see finishT). Its creation time is the earliest its end
-- can be, so the index's oldest entries are the only candidates; at most PURGE_SCAN of them are read per pass (those
-- still queued or ended since are read again by the next pass).
local PURGE_MAX, PURGE_SCAN = 100, 200
local purged = 0
local function purge(tid)
  if redis.call('hdel', TICKETS, tid) == 1 then
    purged = purged + 1
  end
  redis.call('hdel', JOBS, tid)
  redis.call('zrem', ENDED, tid)
  redis.call('lrem', RECENT, 0, tid)
  redis.call('lrem', FAILURES, 0, tid)
  redis.call('zrem', INDEX, tid)
  redis.call('zrem', HOOKS, tid)
end
for _, tid in ipairs(redis.call('zrangebyscore', ENDED, '-inf', now, 'LIMIT', 0, PURGE_MAX)) do
  purge(tid)
end
local jobDue = nil -- the earliest retention end among the candidates read and kept (ms)
local candidates = purged < PURGE_MAX
  and redis.call('zrangebyscore', INDEX, '-inf', now - RETENTION, 'LIMIT', 0, PURGE_SCAN) or {}
for _, tid in ipairs(candidates) do
  if purged >= PURGE_MAX then
    jobDue = now
    break
  end
  local t = getT(tid)
  if not t then
    purge(tid)
  elseif t.s == 'released' or t.s == 'expired' then
    local due = (t.fin or t.e or t.c) + RETENTION
    if due <= now then
      purge(tid)
    elseif not jobDue or due < jobDue then
      jobDue = due
    end
  end
end
if #candidates >= PURGE_SCAN then
  jobDue = now
end
local status = 'none'
local d = redis.call('get', DRIVER)
local n = redis.call('zcard', QUEUE)
if d == COORDINATOR then
  if n == 0 then
    redis.call('del', DRIVER)
  else
    redis.call('pexpire', DRIVER, DRIVER_TTL)
    status = 'mine'
  end
elseif d then
  status = 'other'
elseif n > 0 then
  redis.call('set', DRIVER, COORDINATOR, 'PX', DRIVER_TTL)
  status = 'claimed'
end
local live = currentGrant()
local unclaimed = live ~= nil and not live.claimed and live.expires >= now and redis.call('hget', TICKETS, live.ticket)
  and getT(live.ticket).k == 'job'
local quiet = n == 0 and live == nil and redis.call('zcard', ALIVE) == 0
local wake = nil
if quiet then
  local dues = {jobDue or false}
  for _, key in ipairs({ENDED, HOOKS}) do
    local first = redis.call('zrange', key, 0, 0, 'WITHSCORES')
    dues[#dues + 1] = first[2] and tonumber(first[2]) or false
  end
  -- the index's first job not read above can end its retention no earlier than its creation time plus the retention
  local younger = redis.call('zrangebyscore', INDEX, '(' .. (now - RETENTION), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  dues[#dues + 1] = younger[2] and tonumber(younger[2]) + RETENTION or false
  for i = 1, #dues do
    if dues[i] then
      local due = math.max(0, dues[i] - now)
      if not wake or due < wake then
        wake = due
      end
    end
  end
end
return cjson.encode({driver = status, queue = n, dropped = dropped, ended = ended, next = next, purged = purged,
  unclaimed = unclaimed and true or false, quiet = quiet, wake = wake})
