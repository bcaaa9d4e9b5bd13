-- Extends a live grant (bounded by its deadline; a group-commit member's lease extends its head's grant) or keeps a
-- raw waiter alive (keepAlive, lib.lua). ARGV[11]: ticket, ARGV[12]: lease id, ARGV[13] (optional): what the holder
-- says it is doing, kept with a grant (its field doing).
-- Reply: {result (granted|waiting|lost), view (the ticket, rank, grant: see ticketView)}.
local tid, lid, doing = ARGV[11], ARGV[12], ARGV[13]
local now = nowMs()
local result = keepAlive(currentGrant(), tid, lid, now, doing)
return cjson.encode({result = result, view = ticketView(tid, now)})
