-- Extends a live grant (bounded by its deadline; a group-commit member's lease extends its head's grant) or keeps a
-- raw waiter alive. A grant past its expiry, or a waiter past its keep-alive deadline, is lost even if no sweep has
-- ended it yet. ARGV[11]: ticket, ARGV[12]: lease id.
-- Reply: {result (granted|waiting|lost), view (the ticket, rank, grant: see ticketView)}.
local tid, lid = ARGV[11], ARGV[12]
local now = nowMs()
local g = currentGrant()
local t = getT(tid)
local result = 'lost'
if g and g.expires >= now and t and (g.lease == lid or (t.b == g.lease and t.l == lid)) then
  extendGrant(g, now)
  result = 'granted'
elseif t and t.k == 'lease' and t.s == 'waiting' and lid == KB .. '~' .. tid then
  local alive = num(redis.call('zscore', ALIVE, tid))
  if alive and alive >= now then
    redis.call('zadd', ALIVE, now + WAITER_TTL, tid)
    result = 'waiting'
  end
end
return cjson.encode({result = result, view = ticketView(tid, now)})
