-- One coordinator's periodic pass over a KB, all in one step: raw waiters whose keep-alive lapsed leave the queue; a
-- grant past its expiry (reason ttl) or its deadline (max) ends here (a raw lease expires; a job goes back to queued,
-- or fails on its last attempt) and the next ticket is granted; up to 100 records past their retention are deleted
-- (and leave the recent-jobs lists, the job index, the due webhooks and the claims naming them); the KB's driver key
-- is claimed or renewed.
-- ARGV[11]: '1' when no known worker runs agents (the coordinator's recent read of the workers' records): an agent task
-- granted and not taken by a worker then fails NO_AGENT_WORKER, its grant ended and the next ticket granted, rather than
-- hold the KB, and every job behind it, until such a worker joins. Its error says when a worker ran an earlier attempt
-- (hw), or that attempt's push was uncertain (pu), that it may have landed.
-- Reply: {driver (mine|claimed|other|none), queue (length after the pass), dropped, ended (see endGrant), next (a
-- grant made after dropped waiters), stranded (the grant of an agent task failed so, see endGrant), fence (the live
-- grant's after the pass, 0: none), purged, unclaimed (the job type of a live job grant no worker took yet: it must be on
-- its type's ready set, also if the coordinator that granted it died before putting it there; false: none), ready (since
-- when that job waits: its place there), granted (a grant is live after the pass:
-- the head holds the KB, so its driver has nothing to grant), quiet (nothing to do until something
-- happens to the KB: no ticket, no grant, no waiter), wake (a resting KB's ms until the next thing it must do falls
-- due, see below; absent: the KB is not resting, or a quiet one has nothing due at all)}.
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
if g and (now > g.expires or now > g.deadline) then -- the deadline too: a grant made before expiries were capped by it
  ended = endGrant(g, true, (g.expires >= g.deadline or now > g.deadline) and 'max' or 'ttl', now)
elseif not g and #dropped > 0 then
  next = grantHead(now, nil, dropped)
end
local stranded = nil
if ARGV[11] == '1' and not ended then
  local h = currentGrant()
  local ht = h and not h.claimed and h.expires >= now and getT(h.ticket)
  if ht and ht.k == 'job' and ht.ty == 'agent' and ht.js == 'queued' and not ht.b then
    ht.js, ht.fin = 'failed', now
    local message = 'no known worker runs agents (every worker of this deployment runs notes only, without'
      .. ' agent.command): the task was failed rather than hold its KB'
    if (ht.hw or 0) > 0 and not ht.pu then -- pu: uncertainError says it
      -- a worker had it (its attempt ended in a way that queues it again): its push may be on the remote
      message = message .. '; an earlier attempt ran on a worker and its push may have landed: look for the'
        .. " task's commit (its Kbsync-Job trailer) before submitting it again, or retry the job, which looks for it"
    end
    ht.er = uncertainError(ht, cjson.encode({code = 'NO_AGENT_WORKER', message = message}))
    putT(h.ticket, ht)
    stranded = endGrant(h, false, 'released', now)
  end
end
-- Records past their retention: raw leases (and jobs that ended before jobs left the ended set) by the ended set;
-- jobs through the index, by creation time: a job created more than the retention ago is deleted once it left the
-- queue (s released or expired) the retention ago (fin, else e: see finishT). Its creation time is the earliest its end
-- can be, so the index's oldest entries (its head) are the only candidates; at most PURGE_SCAN of them are read per
-- pass (those still queued or ended since are read again by the next pass), and the first younger one tells a quiet
-- KB when to look again.
local PURGE_MAX, PURGE_SCAN = 100, 200
local purged = 0
-- entry: the ticket's index entry (nil: found from its record, if it is a job's). What names the job in CLAIMS (its
-- idempotency key, journal ids restored onto it) goes with it, unless it names another job by now.
local function purge(tid, entry)
  local t = getT(tid)
  if not entry then
    entry = t and t.k == 'job' and t.c and indexEntry(t.c, tid)
  end
  if t and t.ik and redis.call('hget', CLAIMS, t.ik) == tid then
    redis.call('hdel', CLAIMS, t.ik)
  end
  for _, restored in ipairs(t and t.ra or {}) do
    redis.call('hdel', CLAIMS, 'r:' .. restored)
  end
  if redis.call('hdel', TICKETS, tid) == 1 then
    purged = purged + 1
  end
  redis.call('hdel', JOBS, tid)
  redis.call('zrem', ENDED, tid)
  redis.call('lrem', RECENT, 0, tid)
  redis.call('lrem', FAILURES, 0, tid)
  if entry then
    redis.call('lrem', INDEX, 1, entry) -- an old job's entry: near the head, where LREM starts
  end
  redis.call('zrem', HOOKS, tid)
end
indexWritable()
for _, tid in ipairs(redis.call('zrangebyscore', ENDED, '-inf', now, 'LIMIT', 0, PURGE_MAX)) do
  purge(tid)
end
local jobDue = nil -- the earliest retention end among the candidates read and kept (ms)
local younger = nil -- the created ms of the index's first job not old enough to be a candidate, when read
local read = 0 -- candidates read: old enough to have ended their retention
local CHUNK = 20 -- entries read at a time: a pass over a KB whose oldest job is young reads one chunk
local from = 0
while purged < PURGE_MAX and read < PURGE_SCAN and not younger do
  local chunk = redis.call('lrange', INDEX, from, from + CHUNK - 1)
  local gone = 0
  for _, entry in ipairs(chunk) do
    local c, tid = indexParse(entry)
    if c > now - RETENTION then
      younger = c
      break
    end
    if purged >= PURGE_MAX or read >= PURGE_SCAN then
      break
    end
    read = read + 1
    local t = getT(tid)
    local due = t and (t.s == 'released' or t.s == 'expired') and (t.fin or t.e or t.c) + RETENTION
    if not t or (due and due <= now) then
      purge(tid, entry)
      gone = gone + 1
    elseif due and (not jobDue or due < jobDue) then
      jobDue = due
    end
  end
  if #chunk < CHUNK then
    break
  end
  from = from + #chunk - gone
end
if purged >= PURGE_MAX or read >= PURGE_SCAN then
  jobDue = now -- more may be due: the next pass reads on
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
local unclaimed, ready = false, nil
if live ~= nil and not live.claimed and live.expires >= now then
  local lt = getT(live.ticket)
  unclaimed = lt and lt.k == 'job' and (lt.ty or 'note') or false
  ready = unclaimed and (lt.rd or live.granted) or nil
end
local quiet = n == 0 and live == nil and redis.call('zcard', ALIVE) == 0
-- A KB rests until its wake: quiet, or held by a grant (the coordinator caps a held KB's rest at Sweep.BUSY_MAX, so a
-- job grant no worker took yet is made dispatchable again that often, and its driver key, at least 2 s long, is renewed
-- in time). What falls due by itself is known: the grant's expiry, the first waiter's keep-alive, the next record's
-- retention and the next webhook. A change made since (a waiter joining, a grant) makes the coordinator that saw it
-- sweep the KB at once; a change no coordinator saw is caught by the cap on a rest (Sweep.BUSY_MAX, QUIET_MAX).
local resting = quiet or live ~= nil
local wake = nil
if resting then
  local dues = {jobDue or false}
  for _, key in ipairs({ENDED, HOOKS}) do
    local first = redis.call('zrange', key, 0, 0, 'WITHSCORES')
    dues[#dues + 1] = first[2] and tonumber(first[2]) or false
  end
  -- the index's first job not read above can end its retention no earlier than its creation time plus the retention
  dues[#dues + 1] = younger and younger + RETENTION or false
  if live then
    dues[#dues + 1] = live.expires + 1 -- overdue once now > expires
    local first = redis.call('zrange', ALIVE, 0, 0, 'WITHSCORES')
    dues[#dues + 1] = first[2] and tonumber(first[2]) or false
  end
  for i = 1, #dues do
    if dues[i] then
      local due = math.max(0, dues[i] - now)
      if not wake or due < wake then
        wake = due
      end
    end
  end
end
return cjson.encode({driver = status, queue = n, dropped = dropped, ended = ended, next = next, stranded = stranded,
  fence = live and live.fence or 0, purged = purged,
  unclaimed = unclaimed, ready = ready, granted = live ~= nil, quiet = quiet, wake = wake})
