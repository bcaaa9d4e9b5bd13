-- Group commit: the worker holding a note job's grant takes the contiguous queued note jobs right behind it
-- (stopping at the first agent job or raw lease, at most max). Each member gets its own fencing token (INCR :fence,
-- so larger than the head's) and runs under the head's grant: :lease keeps their tickets in 'batch' until each
-- completes. A retry returns the members already taken. ARGV: prefix, leaseId (the head's), max.
-- Returns {'lost'} | {'ok', now, expiresAt, worker, then per member: ticket, fence, attempts}.
local P = ARGV[1]
local l = redis.call('hmget', P .. 'lease', 'lease', 'ticket', 'ttl', 'deadline', 'batch', 'claimed', 'done', 'worker')
if l[1] ~= ARGV[2] or l[6] ~= '1' then
  return {'lost'}
end
local c = redis.call('time')
local now = c[1] * 1000 + math.floor(c[2] / 1000)
local expires = math.min(now + tonumber(l[3]), tonumber(l[4]))
redis.call('hset', P .. 'lease', 'expires', expires)
local out = {'ok', now, expires, l[8] or ''}
if l[5] and l[5] ~= '' then
  for tid in string.gmatch(l[5], '%S+') do
    local t = redis.call('hmget', P .. 'ticket:' .. tid, 'fence', 'attempts')
    out[#out + 1] = tid
    out[#out + 1] = t[1]
    out[#out + 1] = t[2]
  end
  return out
end
if l[7] == '1' or redis.call('hget', P .. 'ticket:' .. l[2], 'type') ~= 'note' then
  return out
end
local taken = {}
for _, tid in ipairs(redis.call('zrange', P .. 'queue', 1, tonumber(ARGV[3]))) do
  local tk = P .. 'ticket:' .. tid
  local t = redis.call('hmget', tk, 'kind', 'type', 'state')
  if t[1] ~= 'job' or t[2] ~= 'note' or t[3] ~= 'waiting' then
    break
  end
  local fence = redis.call('incr', P .. 'fence')
  local attempts = redis.call('hincrby', tk, 'attempts', 1)
  redis.call('hset', tk, 'state', 'granted', 'fence', fence, 'batch', ARGV[2])
  taken[#taken + 1] = tid
  out[#out + 1] = tid
  out[#out + 1] = fence
  out[#out + 1] = attempts
end
if #taken > 0 then
  redis.call('hset', P .. 'lease', 'batch', table.concat(taken, ' '))
end
return out
