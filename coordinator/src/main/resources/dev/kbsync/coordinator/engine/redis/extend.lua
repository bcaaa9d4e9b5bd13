-- Group commit: the worker holding a note job's claimed, live grant takes the contiguous queued note jobs right
-- behind it (stopping at the first agent job or raw lease, at most max). Each member gets its own fencing token
-- (the next ones, so larger than the head's), its own lease id, and goes running; all run under the head's grant, which
-- keeps their tickets in its batch until each completes. A retry returns the members already taken. Counts as a
-- heartbeat. ARGV[11]: the head's lease id, ARGV[12]: max.
-- Reply: {result (ok|lost), now, expires, deadline, ttl, worker, members: [{ticket, t, job}], taken: the members this
-- step took, space-separated ('' for a retry's), answers: how many answers named the batch's members, this one too}.
local lid, max = ARGV[11], tonumber(ARGV[12])
local now = nowMs()
local g = currentGrant()
if not g or g.lease ~= lid or not g.claimed or g.expires < now then
  return cjson.encode({result = 'lost'})
end
local expires = extendGrant(g, now)
redis.call('hset', STATS, 'batch', max + 1) -- the group-commit size the ETA model assumes
local members = {}
local taken = {}
local function member(tid, t)
  members[#members + 1] = {ticket = tid, t = t, job = jobOf(tid)}
end
if #g.members > 0 then
  for _, tid in ipairs(g.members) do
    member(tid, getT(tid))
  end
else
  local head = getT(g.ticket)
  if not g.done and head and head.ty == 'note' then
    for _, tid in ipairs(redis.call('zrange', QUEUE, 1, max)) do
      local t = getT(tid)
      if not t or t.k ~= 'job' or t.ty ~= 'note' or t.s ~= 'waiting' or terminal(t) then
        break
      end
      local fence = nextFence(now)
      t.a = t.a + 1
      t.hw = (t.hw or 0) + 1
      t.s, t.f, t.b, t.l = 'granted', fence, lid, jobLeaseId(tid, fence)
      t.ff = t.ff or fence
      t.js, t.st, t.w = 'running', now, g.worker
      putT(tid, t)
      taken[#taken + 1] = tid
      member(tid, t)
    end
    if #taken > 0 then
      redis.call('hset', LEASE, 'batch', table.concat(taken, ' '))
      recordHold('join', now - g.granted) -- how long notes joining a group commit wait once its head is granted
    end
  end
end
-- Each answer that names members is counted: a step whose answer is withheld (no replica confirmed it) gives them back
-- only if no answer named them since (a retry through another coordinator may have told the worker of them).
local answers = 0
if #members > 0 then
  answers = redis.call('hincrby', LEASE, 'answers', 1)
end
return cjson.encode({result = 'ok', now = now, expires = expires, deadline = g.deadline, ttl = g.ttl,
  worker = g.worker or '', members = members, taken = table.concat(taken, ' '), answers = answers})
