-- The driver's step: grants the KB to its first ticket if that is still the given ticket and no grant exists.
-- ARGV[11]: ticket. Reply: {result (granted|busy|held|not-head|idle), next (the grant), dropped}.
local tid = ARGV[11]
local h = redis.call('zrange', QUEUE, 0, 0)
if #h == 0 or h[1] ~= tid then
  return cjson.encode({result = 'not-head'})
end
if redis.call('exists', LEASE) == 1 then
  return cjson.encode({result = 'held'})
end
local dropped = {}
local g = grantHead(nowMs(), nil, dropped)
local result = 'idle'
if g then
  result = g.busy and 'busy' or 'granted'
end
return cjson.encode({result = result, next = g, dropped = dropped})
