-- The first ticket of a KB queue. Reply: {} or {ticket, thread, granted (it holds the grant)}.
local h = redis.call('zrange', QUEUE, 0, 0)
if #h == 0 then
  return cjson.encode({})
end
local t = getT(h[1])
return cjson.encode({ticket = h[1], thread = t and t.th or 0, granted = redis.call('hget', LEASE, 'ticket') == h[1]})
