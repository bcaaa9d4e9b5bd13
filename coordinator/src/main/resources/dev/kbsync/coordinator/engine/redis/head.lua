-- The first ticket of a KB queue. ARGV: prefix. Returns {} or {ticket, thread, ticket holding the grant or ''}.
local P = ARGV[1]
local h = redis.call('zrange', P .. 'queue', 0, 0)
if #h == 0 then
  return {}
end
local thread = redis.call('hget', P .. 'ticket:' .. h[1], 'thread')
return {h[1], thread, redis.call('hget', P .. 'lease', 'ticket') or ''}
