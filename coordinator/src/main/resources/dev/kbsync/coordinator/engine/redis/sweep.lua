-- One coordinator's periodic pass over a KB: drops raw waiters not kept alive, reports an overdue grant, and
-- claims or renews the KB's driver key. ARGV: prefix, coordinatorId, driverTtlMs.
-- Returns {driver status (mine|claimed|other|none), overdue leaseId or '', reason (ttl|max|''), queue length,
-- dropped tickets...}.
local P = ARGV[1]
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local dropped = redis.call('zrangebyscore', P .. 'alive', '-inf', now)
for _, tid in ipairs(dropped) do
  redis.call('zrem', P .. 'queue', tid)
  redis.call('zrem', P .. 'alive', tid)
  redis.call('hset', P .. 'ticket:' .. tid, 'state', 'expired')
  redis.call('pexpire', P .. 'ticket:' .. tid, 3600000)
end
local overdue, reason = '', ''
local l = redis.call('hmget', P .. 'lease', 'lease', 'expires', 'deadline')
if l[1] and now >= tonumber(l[3]) then
  overdue, reason = l[1], 'max'
elseif l[1] and now >= tonumber(l[2]) then
  overdue, reason = l[1], 'ttl'
end
local status = 'none'
local d = redis.call('get', P .. 'driver')
local n = redis.call('zcard', P .. 'queue')
if d == ARGV[2] then
  if n == 0 then
    redis.call('del', P .. 'driver')
  else
    redis.call('pexpire', P .. 'driver', ARGV[3])
    status = 'mine'
  end
elseif d then
  status = 'other'
elseif n > 0 then
  redis.call('set', P .. 'driver', ARGV[2], 'PX', ARGV[3])
  status = 'claimed'
end
local out = {status, overdue, reason, redis.call('zcard', P .. 'queue')}
for _, tid in ipairs(dropped) do
  out[#out + 1] = tid
end
return out
