-- Grants the KB to its first ticket if no grant exists. ARGV: prefix, ticket, maxHoldMs, kb id.
-- Returns {'granted', fence, leaseId, kind, job, created, now, holder} | {'held'} | {'not-head'}.
local P, tid = ARGV[1], ARGV[2]
local h = redis.call('zrange', P .. 'queue', 0, 0)
if #h == 0 or h[1] ~= tid then
  return {'not-head'}
end
if redis.call('exists', P .. 'lease') == 1 then
  return {'held'}
end
local tk = P .. 'ticket:' .. tid
local t = redis.call('hmget', tk, 'kind', 'job', 'created', 'ttl', 'holder')
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local fence = redis.call('incr', P .. 'fence')
local lid = ARGV[4] .. '~' .. tid
if t[1] == 'job' then
  lid = lid .. '.' .. fence
end
redis.call('hset', P .. 'lease', 'ticket', tid, 'lease', lid, 'fence', fence, 'granted', now,
  'expires', now + tonumber(t[4]), 'deadline', now + tonumber(ARGV[3]), 'ttl', t[4], 'claimed', 0)
redis.call('hset', tk, 'state', 'granted', 'fence', fence)
redis.call('zrem', P .. 'alive', tid)
return {'granted', fence, lid, t[1], t[2], t[3], now, t[5]}
