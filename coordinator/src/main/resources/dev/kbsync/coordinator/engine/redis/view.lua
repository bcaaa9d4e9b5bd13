-- A KB's queue in grant order. ARGV: prefix.
-- Returns {granted ticket or '', leaseId, fence, grantedAt, expiresAt, claimed, avgHoldMs, now, batch members,
--          then per ticket: ticket, kind, holder, job, created, attempts, ttl}.
local P = ARGV[1]
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local l = redis.call('hmget', P .. 'lease', 'ticket', 'lease', 'fence', 'granted', 'expires', 'claimed', 'batch')
local out = {l[1] or '', l[2] or '', l[3] or '', l[4] or '', l[5] or '', l[6] or '',
  redis.call('hget', P .. 'stats', 'avg') or '0', now, l[7] or ''}
for _, tid in ipairs(redis.call('zrange', P .. 'queue', 0, -1)) do
  local t = redis.call('hmget', P .. 'ticket:' .. tid, 'kind', 'holder', 'job', 'created', 'attempts', 'ttl')
  out[#out + 1] = tid
  for i = 1, 6 do
    out[#out + 1] = t[i] or ''
  end
end
return out
