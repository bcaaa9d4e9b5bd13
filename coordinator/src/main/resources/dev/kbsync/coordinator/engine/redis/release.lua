-- Ends a grant (a raw lease's release; a job's lease released through the lease API or force-released: the job goes
-- back to queued at its place, the attempt its claim counted returned), takes a group-commit member back to queued
-- (its attempt returned too), or cancels a raw waiter. Ending a grant drops the RFairLock and grants the next ticket
-- in the same step.
-- ARGV[11]: ticket, ARGV[12]: lease id, ARGV[13]: the calling token's name, to which a raw lease must belong ('': any
-- caller, an admin's force-release).
-- Reply: {result (ended|kept|cancelled|gone|forbidden: another token's raw lease, left as it was), ended (see endGrant),
-- t, next, dropped}.
-- A grant ended this way is not an attempt of its jobs: the attempt each claim counted is returned.
local function returnAttempt(id, t)
  if t and t.k == 'job' and not terminal(t) and (t.a or 0) > 0 then
    t.a = t.a - 1
    putT(id, t)
  end
end

local tid, lid, caller = ARGV[11], ARGV[12], ARGV[13]
local t -- read first only when a token's name must be checked (the engine's own releases pass '')
if caller ~= '' then
  t = getT(tid)
  if t and t.k == 'lease' and otherTokens(t, caller) then
    return cjson.encode({result = 'forbidden'})
  end
end
local now = nowMs()
local g = currentGrant()
if g and g.lease == lid and g.expires < now then
  -- lapsed, not yet swept: it ends as the sweep would end it (a read and a heartbeat already call it expired)
  return cjson.encode({result = 'ended', ended = endGrant(g, true, g.expires >= g.deadline and 'max' or 'ttl', now)})
end
if g and g.lease == lid then
  if g.claimed then
    returnAttempt(g.ticket, getT(g.ticket))
  end
  for _, m in ipairs(g.members) do
    returnAttempt(m, getT(m))
  end
  return cjson.encode({result = 'ended', ended = endGrant(g, true, 'released', now)})
end
if caller == '' then
  t = getT(tid)
end
if g and t and t.b == g.lease and t.l == lid then
  returnAttempt(tid, t)
  local rest = {}
  for _, m in ipairs(g.members) do
    if m ~= tid then
      rest[#rest + 1] = m
    end
  end
  t.s, t.b, t.js = 'waiting', nil, 'queued'
  putT(tid, t)
  if #rest == 0 and g.done then
    g.members = {}
    return cjson.encode({result = 'ended', ended = endGrant(g, false, 'released', now)})
  end
  redis.call('hset', LEASE, 'batch', table.concat(rest, ' '))
  return cjson.encode({result = 'kept'})
end
if t and t.k == 'lease' and t.s == 'waiting' and lid == KB .. '~' .. tid then
  finishT(tid, t, 'released', now)
  local dropped = {}
  return cjson.encode({result = 'cancelled', t = t, next = grantHead(now, nil, dropped), dropped = dropped})
end
return cjson.encode({result = 'gone'})
