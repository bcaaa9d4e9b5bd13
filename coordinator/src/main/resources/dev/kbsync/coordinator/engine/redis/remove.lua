-- Removes a KB (DELETE /v1/kbs/{kb}) in one step, atomic with its submits (submit.lua checks the conf key, KEYS[19],
-- in the same slot) and lease requests: refused while any ticket is queued or granted, a grant is live or a Redisson
-- client holds or waits for the KB's lock; else the KB's queue, grant, lock, counters, stats, recent lists, driver,
-- rate window (KEYS[20]) and conf key are deleted. Its finished records (tickets, jobs, job index, ended set, due
-- webhooks, claims) and its fencing counter are kept for the retention, then expire with their keys: a finished job stays readable by id until its own
-- retention ended (or a little longer); a later registration of the same id keeps them (see RedisKbRegistry).
-- ARGV[11]: '1' when the KB's registration was in the registry (a KB registered before conf keys existed has none).
-- ARGV[12]: 'check' to answer only whether the KB could be removed now ({r = 'idle'}), deleting nothing.
-- Reply: {r = 'nokb'} | {r = 'busy', queued, running} | {r = 'idle'} (check) | {r = 'removed', kept (tickets kept)}.
local CONF, RATE = KEYS[19], KEYS[20]
if redis.call('exists', CONF) == 0 and ARGV[11] ~= '1' then
  return cjson.encode({r = 'nokb'})
end
local queued, running = 0, 0
for _, tid in ipairs(redis.call('zrange', QUEUE, 0, -1)) do
  local t = getT(tid)
  if t and t.s == 'waiting' then
    queued = queued + 1
  elseif t then
    running = running + 1
  end
end
local lock = redis.call('exists', LEASE) + redis.call('exists', LOCK) + redis.call('llen', LOCK_QUEUE)
if queued + running + lock > 0 then
  return cjson.encode({r = 'busy', queued = queued, running = math.max(running, math.min(lock, 1))})
end
if ARGV[12] == 'check' then
  return cjson.encode({r = 'idle'})
end
redis.call('del', QUEUE, SEQ, LEASE, ALIVE, DRIVER, STATS, LOCK, LOCK_QUEUE, LOCK_TIMEOUT, RECENT, FAILURES, CONF,
  RATE)
-- The fencing counter is kept as long as the records: a registration of the same id within it goes on from it (its
-- tokens only rise, also past one a degraded coordinator's clock raised it to), and its next grant's SET keeps it.
for _, key in ipairs({TICKETS, JOBS, INDEX, ENDED, HOOKS, CLAIMS, FENCE}) do
  redis.call('pexpire', key, RETENTION)
end
return cjson.encode({r = 'removed', kept = redis.call('hlen', TICKETS)})
