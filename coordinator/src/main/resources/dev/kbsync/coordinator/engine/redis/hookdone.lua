-- A webhook delivery's result. ARGV[11]: ticket, ARGV[12]: ok|retry|drop, ARGV[13]: how long after the job's terminal
-- state deliveries are retried (ms). ok: the delivery leaves the set. retry: due again after a backoff of 1 s, 2 s,
-- 4 s... (capped at 5 min) counted from now, or dropped when that is past the retry window. drop: dropped now (its
-- callback host is no longer allowed).
-- Reply: {result (delivered|retry|dropped|unknown), due (ms, on retry), wn (attempts made)}.
local tid = ARGV[11]
local now = nowMs()
local t = getT(tid)
if not t or not t.wd or not redis.call('zscore', HOOKS, tid) then
  return cjson.encode({result = 'unknown'})
end
if ARGV[12] == 'ok' then
  redis.call('zrem', HOOKS, tid)
  return cjson.encode({result = 'delivered', wn = t.wn})
end
if ARGV[12] == 'drop' then
  redis.call('zrem', HOOKS, tid)
  return cjson.encode({result = 'dropped', wn = t.wn})
end
local n = t.wn or 1
local delay = math.min(1000 * 2 ^ math.min(n - 1, 20), 300000)
local due = now + delay
if due > t.wd + tonumber(ARGV[13]) then
  redis.call('zrem', HOOKS, tid)
  return cjson.encode({result = 'dropped', wn = n})
end
redis.call('zadd', HOOKS, due, tid)
return cjson.encode({result = 'retry', due = due, wn = n})
