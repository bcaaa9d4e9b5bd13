-- Extends a live grant (bounded by its deadline; a group-commit member's lease extends its head's grant) or keeps a
-- raw waiter alive (keepAlive, lib.lua). ARGV[11]: ticket, ARGV[12]: lease id, ARGV[13]: the calling token's name, to
-- which a raw lease must belong ('': any caller), ARGV[14] (optional): what the holder says it is doing, kept with a
-- grant (its field doing).
-- Reply: {result (granted|waiting|lost|forbidden: another token's raw lease, left as it was), view (the ticket, rank,
-- grant: see ticketView), told (true when the grant's doing changed: a text other than the one stored before, for the
-- streams of the grant's jobs)}.
local tid, lid, caller, doing = ARGV[11], ARGV[12], ARGV[13], ARGV[14]
if caller ~= '' then
  local t = getT(tid)
  if t and t.k == 'lease' and otherTokens(t, caller) then
    return cjson.encode({result = 'forbidden'})
  end
end
local now = nowMs()
local g = currentGrant()
local before = g and g.doing
local result = keepAlive(g, tid, lid, now, doing)
local told = result == 'granted' and doing ~= nil and doing ~= '' and doing ~= before
return cjson.encode({result = result, view = ticketView(tid, now), told = told})
