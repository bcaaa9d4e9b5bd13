-- A page of the KB's jobs, newest first (by submit time, then ticket id), read only, from the job index: the entries
-- strictly after the cursor position (ms, ticket) that match the filters, at most limit of them, scanning at most
-- maxScan entries. ARGV[11]: cursor ms ('': from the newest), ARGV[12]: cursor ticket, ARGV[13]: limit, ARGV[14]: user
-- ('': any), ARGV[15]: job state ('': any), ARGV[16]: maxScan.
-- Reply: {jobs = [{id, ms, t, job, rank}], avg, full (limit reached), cut ({ms, id}: the last entry scanned when the
-- scan stopped at maxScan; absent when the index ended or the limit was reached)}.
local cms, ctid, limit = tonumber(ARGV[11]), ARGV[12], tonumber(ARGV[13])
local user, state, maxScan = ARGV[14], ARGV[15], tonumber(ARGV[16])
local max = cms and ARGV[11] or '+inf'
local out, scanned, offset = {}, 0, 0
local CHUNK = 100
while true do
  local chunk = redis.call('zrevrangebyscore', INDEX, max, '-inf', 'WITHSCORES', 'LIMIT', offset, CHUNK)
  if #chunk == 0 then
    break
  end
  offset = offset + #chunk / 2
  for i = 1, #chunk, 2 do
    local tid, ms = chunk[i], chunk[i + 1]
    if not (cms and tonumber(ms) == cms and tid >= ctid) then
      scanned = scanned + 1
      local t = getT(tid)
      if t and (user == '' or t.h == user) and (state == '' or t.js == state) then
        local job = jobOf(tid)
        if job then
          out[#out + 1] = {id = tid, ms = tonumber(ms), t = t, job = job, rank = redis.call('zrank', QUEUE, tid) or -1}
          if #out >= limit then
            return cjson.encode({jobs = out, avg = tonumber(redis.call('hget', STATS, 'avg') or '0'), full = true})
          end
        end
      end
      if scanned >= maxScan then
        return cjson.encode({jobs = out, avg = tonumber(redis.call('hget', STATS, 'avg') or '0'),
          cut = {ms = tonumber(ms), id = tid}})
      end
    end
  end
end
return cjson.encode({jobs = out, avg = tonumber(redis.call('hget', STATS, 'avg') or '0')})
