-- A job as stored, with its place in the queue, read only. ARGV[11]: ticket (the job id's random part).
-- Reply: {} | {job (the submitted record), view (see ticketView), eta (while queued: see etaInputs)}.
local job = jobOf(ARGV[11])
if not job then
  return cjson.encode({})
end
local view = ticketView(ARGV[11], nowMs())
local eta = nil
if view and view.rank >= 0 then
  eta = etaInputs(view.rank)
end
return cjson.encode({job = job, view = view, eta = eta})
