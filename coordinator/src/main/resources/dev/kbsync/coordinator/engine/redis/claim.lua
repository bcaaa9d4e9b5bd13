-- A worker takes a granted job lease (once). ARGV: prefix, leaseId, workerId. Returns {} or {expiresAt, attempts, now}.
local P = ARGV[1]
local l = redis.call('hmget', P .. 'lease', 'lease', 'claimed', 'ttl', 'deadline', 'ticket')
if l[1] ~= ARGV[2] or l[2] == '1' then
  return {}
end
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local expires = math.min(now + tonumber(l[3]), tonumber(l[4]))
redis.call('hset', P .. 'lease', 'claimed', 1, 'expires', expires, 'worker', ARGV[3])
local attempts = redis.call('hincrby', P .. 'ticket:' .. l[5], 'attempts', 1)
return {expires, attempts, now}
