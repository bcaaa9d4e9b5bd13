-- Raises the KB's fencing counter to at least ARGV[11]: the highest token a coordinator handed out for the KB from its
-- journal while Redis was unreachable (DegradedMode), so that every later grant's token (nextFence) is above every
-- publish made under a degraded token. Idempotent; never lowers the counter.
-- Reply: {fence = the counter after the step}.
local floor = tonumber(ARGV[11])
local fence = tonumber(redis.call('get', FENCE)) or 0
if floor > fence then
  fence = floor
  redis.call('set', FENCE, string.format('%d', fence))
end
return cjson.encode({fence = fence})
