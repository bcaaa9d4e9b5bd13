-- Ends a grant, or cancels a raw waiter. ARGV: prefix, ticket, leaseId, end state (released|expired),
-- mode (end|requeue: a job keeps its ticket and score). Returns {'ended', heldMs, fence, kind, holder, job, ttlMs}
-- | {'cancelled'} | {'gone'}. Updates the KB's hold-time average (EWMA, weight 0.2).
local P, tid = ARGV[1], ARGV[2]
local tk = P .. 'ticket:' .. tid
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local l = redis.call('hmget', P .. 'lease', 'lease', 'granted', 'fence', 'ttl')
local t = redis.call('hmget', tk, 'kind', 'holder', 'job')
local function finish()
  redis.call('zrem', P .. 'queue', tid)
  redis.call('zrem', P .. 'alive', tid)
  redis.call('hset', tk, 'state', ARGV[4])
  redis.call('pexpire', tk, 3600000)
end
if l[1] == ARGV[3] then
  redis.call('del', P .. 'lease')
  local held = now - tonumber(l[2])
  local avg = tonumber(redis.call('hget', P .. 'stats', 'avg') or held)
  redis.call('hset', P .. 'stats', 'avg', math.floor(avg * 0.8 + held * 0.2))
  if ARGV[5] == 'requeue' then
    redis.call('hset', tk, 'state', 'waiting')
  else
    finish()
  end
  return {'ended', held, l[3], t[1], t[2], t[3], l[4]}
end
if ARGV[5] == 'end' and redis.call('zscore', P .. 'alive', tid) then
  finish()
  return {'cancelled'}
end
return {'gone'}
