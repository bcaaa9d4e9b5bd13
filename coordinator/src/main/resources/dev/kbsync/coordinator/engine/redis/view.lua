-- A KB's queue in grant order, read only. Reply: {grant (see currentGrant), avg, stats (see statsMap), now,
-- rows: [{ticket, t}]}.
local rows = {}
for _, tid in ipairs(redis.call('zrange', QUEUE, 0, -1)) do
  local t = getT(tid)
  if t then
    rows[#rows + 1] = {ticket = tid, t = t}
  end
end
return cjson.encode({grant = currentGrant(), avg = tonumber(redis.call('hget', STATS, 'avg') or '0'),
  stats = statsMap(), now = nowMs(), rows = rows})
