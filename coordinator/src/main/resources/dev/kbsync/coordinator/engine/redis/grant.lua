-- Grants the KB to its first ticket if no grant exists (the driver's step). ARGV: prefix, ticket, maxHoldMs, kb id,
-- lock owner (Redisson client id).
-- Returns {'granted', ...} (see grantHead) | {'held'} | {'not-head'} | {'lock-busy'}.
local P, tid = ARGV[1], ARGV[2]
local h = redis.call('zrange', P .. 'queue', 0, 0)
if #h == 0 or h[1] ~= tid then
  return {'not-head'}
end
if redis.call('exists', P .. 'lease') == 1 then
  return {'held'}
end
return grantHead(P, ARGV[4], ARGV[3], ARGV[5], nowMs())
