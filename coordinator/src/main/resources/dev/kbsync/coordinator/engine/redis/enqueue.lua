-- Joins a KB queue at the tail (idempotent per ticket) and, when the KB is free, grants it at once.
-- ARGV: prefix, ticket, kind, holder, job, ttlMs, waiterTtlMs, type (note|agent for a job, '' for a raw lease),
-- kb id, maxHoldMs, lock owner (Redisson client id), coordinator id, driverTtlMs (the caller becomes the KB's driver
-- if it has none).
-- Returns {rank or -1, thread} | {'granted', ...} (see grantHead) for a ticket granted by this call.
local P, tid = ARGV[1], ARGV[2]
local tk = P .. 'ticket:' .. tid
local now = nowMs()
if redis.call('exists', tk) == 0 then
  local seq = redis.call('incr', P .. 'seq')
  redis.call('hset', tk, 'kind', ARGV[3], 'holder', ARGV[4], 'job', ARGV[5], 'created', now, 'ttl', ARGV[6],
    'thread', seq, 'state', 'waiting', 'attempts', 0, 'type', ARGV[8])
  redis.call('zadd', P .. 'queue', seq, tid)
  if ARGV[3] == 'lease' then
    redis.call('zadd', P .. 'alive', now + tonumber(ARGV[7]), tid)
  end
end
redis.call('set', P .. 'driver', ARGV[12], 'NX', 'PX', ARGV[13])
local rank = redis.call('zrank', P .. 'queue', tid)
if rank == 0 then
  local g = grantHead(P, ARGV[9], ARGV[10], ARGV[11], now)
  if g[1] == 'granted' then
    return g
  end
end
return {rank or -1, tonumber(redis.call('hget', tk, 'thread'))}
