-- A KB's recently finished jobs, newest first, read only: the last ones of any outcome and the last failed ones (the
-- lists finishT keeps). Entries whose records the retention already deleted are skipped.
-- Reply: {jobs = [{t, job}], failures = [{t, job}]} (t: the ticket with its id).
local function read(list)
  local out = {}
  for _, tid in ipairs(redis.call('lrange', list, 0, -1)) do
    local t = getT(tid)
    local job = jobOf(tid)
    if t and job then
      out[#out + 1] = {id = tid, t = t, job = job}
    end
  end
  return out
end
return cjson.encode({jobs = read(RECENT), failures = read(FAILURES)})
