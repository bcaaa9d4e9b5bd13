-- Keeps many of the KB's leases alive at once, as heartbeat.lua does one (keepAlive, lib.lua), without reading them
-- back: what the event streams open on one coordinator need once a second. ARGV[11..]: pairs of ticket and lease id.
-- Reply: {lost = [the lease ids no longer kept alive: ended, expired, superseded, unknown]}.
local now = nowMs()
local g = currentGrant()
local lost = {}
for i = 11, #ARGV - 1, 2 do
  if keepAlive(g, ARGV[i], ARGV[i + 1], now) == 'lost' then
    lost[#lost + 1] = ARGV[i + 1]
  end
end
return cjson.encode({lost = lost})
