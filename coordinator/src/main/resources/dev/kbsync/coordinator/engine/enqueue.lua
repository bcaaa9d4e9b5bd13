-- Joins a KB queue at the tail (idempotent per ticket). ARGV: prefix, ticket, kind, holder, job, ttlMs, waiterTtlMs,
-- type (note|agent for a job, '' for a raw lease)
-- Returns {rank or -1, thread}.
local P, tid = ARGV[1], ARGV[2]
local tk = P .. 'ticket:' .. tid
local t = redis.call('time')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if redis.call('exists', tk) == 0 then
  local seq = redis.call('incr', P .. 'seq')
  redis.call('hset', tk, 'kind', ARGV[3], 'holder', ARGV[4], 'job', ARGV[5], 'created', now, 'ttl', ARGV[6],
    'thread', seq, 'state', 'waiting', 'attempts', 0, 'type', ARGV[8])
  redis.call('zadd', P .. 'queue', seq, tid)
  if ARGV[3] == 'lease' then
    redis.call('zadd', P .. 'alive', now + tonumber(ARGV[7]), tid)
  end
end
local rank = redis.call('zrank', P .. 'queue', tid)
return {rank or -1, tonumber(redis.call('hget', tk, 'thread'))}
