-- Ends a grant, cancels a raw waiter, or completes a group-commit member; a grant that ends drops the KB's RFairLock
-- and grants the next ticket in the same step (see grantHead). ARGV: prefix, ticket, leaseId, end state
-- (released|expired), mode (end|requeue: a job keeps its ticket and score), fence of a job lease ('' for raw), kb id,
-- maxHoldMs, lock owner (Redisson client id).
-- Returns {'ended', heldMs, fence, kind, holder, job, ttlMs, n, n requeued members..., the next grant (grantHead's
-- reply)...} | {'kept'} (the grant continues: batch members are still running) | {'cancelled', holder, ttlMs} |
-- {'gone'}. Updates the KB's hold-time average (EWMA, 0.2).
local P, tid = ARGV[1], ARGV[2]
local tk = P .. 'ticket:' .. tid
local now = nowMs()
local l = redis.call('hmget', P .. 'lease', 'lease', 'granted', 'fence', 'ttl', 'batch', 'done', 'ticket', 'owner')
local members = {}
for m in string.gmatch(l[5] or '', '%S+') do
  members[#members + 1] = m
end
local function finish(id, state)
  local k = P .. 'ticket:' .. id
  redis.call('zrem', P .. 'queue', id)
  redis.call('zrem', P .. 'alive', id)
  redis.call('hset', k, 'state', state)
  redis.call('hdel', k, 'batch')
  redis.call('pexpire', k, 3600000)
end
-- Deletes the grant; the head ticket ends, or (requeue, head not finished) waits again at its place; unfinished
-- members wait again at theirs.
local function endGrant(requeue)
  redis.call('del', P .. 'lease')
  dropFairLock(P, l[8])
  local held = now - tonumber(l[2])
  local avg = tonumber(redis.call('hget', P .. 'stats', 'avg') or held)
  redis.call('hset', P .. 'stats', 'avg', math.floor(avg * 0.8 + held * 0.2))
  if requeue and l[6] ~= '1' then
    redis.call('hset', P .. 'ticket:' .. l[7], 'state', 'waiting')
  else
    finish(l[7], ARGV[4])
  end
  local h = redis.call('hmget', P .. 'ticket:' .. l[7], 'kind', 'holder', 'job')
  local out = {'ended', held, l[3], h[1], h[2], h[3], l[4], #members}
  for _, m in ipairs(members) do
    redis.call('hset', P .. 'ticket:' .. m, 'state', 'waiting')
    redis.call('hdel', P .. 'ticket:' .. m, 'batch')
    out[#out + 1] = m
  end
  for _, v in ipairs(grantHead(P, ARGV[7], ARGV[8], ARGV[9], now)) do
    out[#out + 1] = v
  end
  return out
end
if l[1] == ARGV[3] then
  if ARGV[5] == 'end' and #members > 0 then
    redis.call('hset', P .. 'lease', 'done', 1)
    return {'kept'}
  end
  return endGrant(ARGV[5] == 'requeue')
end
local t = redis.call('hmget', tk, 'batch', 'fence')
if l[1] and t[1] == l[1] and t[2] == ARGV[6] then
  local rest = {}
  for _, m in ipairs(members) do
    if m ~= tid then
      rest[#rest + 1] = m
    end
  end
  members = rest
  if ARGV[5] == 'requeue' then
    redis.call('hset', tk, 'state', 'waiting')
    redis.call('hdel', tk, 'batch')
  else
    finish(tid, ARGV[4])
  end
  if #members == 0 and l[6] == '1' then
    return endGrant(false)
  end
  redis.call('hset', P .. 'lease', 'batch', table.concat(members, ' '))
  return {'kept'}
end
if ARGV[5] == 'end' and redis.call('zscore', P .. 'alive', tid) then
  finish(tid, ARGV[4])
  local w = redis.call('hmget', tk, 'holder', 'ttl')
  return {'cancelled', w[1], w[2]}
end
return {'gone'}
