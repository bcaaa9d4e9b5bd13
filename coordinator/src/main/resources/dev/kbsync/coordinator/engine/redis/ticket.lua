-- One ticket and the KB's grant, read only. ARGV[11]: ticket. Reply: {view (see ticketView)} ({} if unknown).
return cjson.encode({view = ticketView(ARGV[11], nowMs())})
