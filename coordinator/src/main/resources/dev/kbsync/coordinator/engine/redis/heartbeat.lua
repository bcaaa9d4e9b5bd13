-- Extends a live grant (bounded by its deadline; a group-commit member's lease extends its head's grant) or keeps a
-- raw waiter alive (keepAlive, lib.lua). ARGV[11]: ticket, ARGV[12]: lease id, ARGV[13] (optional): what the holder
-- says it is doing, kept with a grant (its field doing).
-- Reply: {result (granted|waiting|lost), view (the ticket, rank, grant: see ticketView), told (true when the grant's
-- doing changed: a text other than the one stored before, for the streams of the grant's jobs)}.
local tid, lid, doing = ARGV[11], ARGV[12], ARGV[13]
local now = nowMs()
local g = currentGrant()
local before = g and g.doing
local result = keepAlive(g, tid, lid, now, doing)
local told = result == 'granted' and doing ~= nil and doing ~= '' and doing ~= before
return cjson.encode({result = result, view = ticketView(tid, now), told = told})
