-- A worker takes the KB's current grant if it is a job's, not yet taken and not expired, and not reserved for another
-- worker (worker affinity: a grant names its preferred worker for ARGV[12] ms, unless unreserve.lua lifted it); the job
-- goes running in the same step. ARGV[11]: worker id, ARGV[13]: the job types the worker runs (',note,agent,').
-- A job of a type the worker does not run stays granted for another worker, its reservation lifted if it was this
-- worker's.
-- A job's grant past its expiry that no sweep ended yet is not claimed (the sweep makes it again, its KB back at its
-- place among the ready KBs: since when its job waits, t.rd): the reply says so, and the poll waits for that.
-- Reply: {} | {other (the job's type, which the worker does not run), ready} | {lapsed (the job's type), ready} |
-- {lease, fence, prev (the KB's token before this
-- grant), granted, expires, deadline, ttl, now, t (the
-- ticket), job (its record), notes (a note job claimed with a queued note job right behind it, which a group commit
-- would take along: extend.lua's first member)}.
local worker = ARGV[11]
local now = nowMs()
local g = currentGrant()
if not g or g.claimed then
  return cjson.encode({})
end
if g.expires < now then
  local lt = getT(g.ticket)
  if lt and lt.k == 'job' and not terminal(lt) then
    return cjson.encode({lapsed = lt.ty or 'note', ready = lt.rd or g.granted})
  end
  return cjson.encode({})
end
local pref = redis.call('hget', LEASE, 'pref')
if pref and pref ~= worker and now < g.granted + tonumber(ARGV[12]) then
  return cjson.encode({})
end
local t = getT(g.ticket)
if not t or t.k ~= 'job' or terminal(t) then
  return cjson.encode({})
end
local ty = t.ty or 'note'
if not string.find(ARGV[13], ',' .. ty .. ',', 1, true) then
  if pref == worker then
    redis.call('hdel', LEASE, 'pref')
  end
  return cjson.encode({other = ty, ready = t.rd or g.granted})
end
local expires = extendGrant(g, now)
redis.call('hset', LEASE, 'claimed', 1, 'worker', worker)
recordHold('claim', now - g.granted) -- how long a job's grant waits for a worker (part of a job's wait)
t.a = t.a + 1
t.hw = (t.hw or 0) + 1 -- had a worker: it may push (cancel.lua)
t.js, t.st, t.w = 'running', now, worker
putT(g.ticket, t)
local notes = false
if t.ty == 'note' then
  local next = redis.call('zrange', QUEUE, 1, 1)[1]
  local n = next and getT(next)
  notes = n and n.k == 'job' and n.ty == 'note' and n.s == 'waiting' and not terminal(n) or false
end
return cjson.encode({lease = g.lease, fence = g.fence, prev = num(redis.call('hget', LEASE, 'prev')), granted = g.granted, expires = expires, deadline = g.deadline,
  ttl = g.ttl, now = now, ticket = g.ticket, t = t, job = jobOf(g.ticket), notes = notes})
