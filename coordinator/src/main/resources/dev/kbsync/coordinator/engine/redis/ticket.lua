-- One ticket and the KB's grant. ARGV: prefix, ticket.
-- Returns {} or {kind, holder, job, state, fence, ttl, rank or -1, leaseId, fence, grantedAt, expiresAt, attempts,
-- avgHoldMs, group-commit grant (lease id) or ''}.
local P, tid = ARGV[1], ARGV[2]
local t = redis.call('hmget', P .. 'ticket:' .. tid, 'kind', 'holder', 'job', 'state', 'fence', 'ttl', 'attempts', 'batch')
if not t[1] then
  return {}
end
local l = redis.call('hmget', P .. 'lease', 'lease', 'fence', 'granted', 'expires')
local rank = redis.call('zrank', P .. 'queue', tid)
return {t[1], t[2], t[3], t[4], t[5] or '', t[6], rank or -1, l[1] or '', l[2] or '', l[3] or '', l[4] or '', t[7],
  redis.call('hget', P .. 'stats', 'avg') or '0', t[8] or ''}
