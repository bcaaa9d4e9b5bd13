-- A job whose grant ended without an outcome goes back to queued, unless it already finished. KEYS: job hash.
local s = redis.call('hget', KEYS[1], 'state')
if s == 'done' or s == 'failed' then
  return {0}
end
redis.call('hset', KEYS[1], 'state', 'queued')
return {1}
