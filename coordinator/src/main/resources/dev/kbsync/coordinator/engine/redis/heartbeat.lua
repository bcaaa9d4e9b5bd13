-- Extends a grant (bounded by its hard deadline; a group-commit member's heartbeat extends its head's grant) or
-- keeps a raw waiter alive. A grant already past its expiry is lost even if no sweep has ended it yet (e.g. the
-- heartbeat was delayed by a Redis pause): TTLs are Redis TIME.
-- ARGV: prefix, ticket, leaseId, waiterTtlMs, fence of a job lease ('' for raw).
-- Returns {'granted', expiresAt} | {'waiting'} | {'lost'}.
local P, tid = ARGV[1], ARGV[2]
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local l = redis.call('hmget', P .. 'lease', 'lease', 'ttl', 'deadline', 'expires')
local t = redis.call('hmget', P .. 'ticket:' .. tid, 'batch', 'fence')
if l[1] and (l[1] == ARGV[3] or (t[1] == l[1] and t[2] == ARGV[5])) and tonumber(l[4]) >= now then
  local expires = math.min(now + tonumber(l[2]), tonumber(l[3]))
  redis.call('hset', P .. 'lease', 'expires', expires)
  return {'granted', expires}
end
if redis.call('zscore', P .. 'alive', tid) then
  redis.call('zadd', P .. 'alive', now + tonumber(ARGV[4]), tid)
  return {'waiting'}
end
return {'lost'}
