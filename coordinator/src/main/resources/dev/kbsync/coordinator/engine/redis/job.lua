-- A job as stored, with its place in the queue, read only. ARGV[11]: ticket (the job id's random part).
-- Reply: {} | {job (the submitted record), view (see ticketView)}.
local job = redis.call('hget', JOBS, ARGV[11])
if not job then
  return cjson.encode({})
end
return cjson.encode({job = job, view = ticketView(ARGV[11], nowMs())})
