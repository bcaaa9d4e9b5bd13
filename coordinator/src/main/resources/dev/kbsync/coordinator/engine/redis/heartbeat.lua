-- Extends a live grant (bounded by its deadline; a group-commit member's lease extends its head's grant) or keeps a
-- raw waiter alive (keepAlive, lib.lua). ARGV[11]: ticket, ARGV[12]: lease id.
-- Reply: {result (granted|waiting|lost), view (the ticket, rank, grant: see ticketView)}.
local tid, lid = ARGV[11], ARGV[12]
local now = nowMs()
local result = keepAlive(currentGrant(), tid, lid, now)
return cjson.encode({result = result, view = ticketView(tid, now)})
