-- A page of the KB's jobs, newest first (by submit time, then ticket id), read only, from the job index: the entries
-- strictly after the cursor position (ms, ticket) that match the filters, at most limit of them, scanning at most
-- maxScan entries. ARGV[11]: cursor ms ('': from the newest), ARGV[12]: cursor ticket, ARGV[13]: limit, ARGV[14]: user
-- ('': any), ARGV[15]: job state ('': any), ARGV[16]: maxScan, ARGV[17]: the users whose jobs the caller may see,
-- comma-separated names and prefixes ending in * ('': every user's): the others' jobs are skipped like those the
-- filters leave out, so that a full page's last job (its cursor) is never one of them.
-- Reply: {jobs = [{id, ms, t, job, rank}], avg, grant (the KB's, see currentGrant: what its holder last said it was
-- doing, for the running job), full (limit reached), cut ({ms, id}: the last entry scanned when the scan stopped at
-- maxScan; absent when the index ended or the limit was reached)}.
local cms, ctid, limit = tonumber(ARGV[11]), ARGV[12], tonumber(ARGV[13])
local user, state, maxScan = ARGV[14], ARGV[15], tonumber(ARGV[16])
local scope = {}
for item in string.gmatch(ARGV[17], '[^,]+') do
  scope[#scope + 1] = item
end
local out, scanned = {}, 0
local CHUNK = 100

local function reply(extra)
  local r = {jobs = out, avg = tonumber(redis.call('hget', STATS, 'avg') or '0'), grant = currentGrant()}
  for k, v in pairs(extra or {}) do
    r[k] = v
  end
  return cjson.encode(r)
end

-- Whether the caller may see the jobs of user h.
local function inScope(h)
  if #scope == 0 then
    return true
  end
  for _, item in ipairs(scope) do
    if string.sub(item, -1) == '*' then
      if string.sub(h, 1, #item - 1) == string.sub(item, 1, -2) then
        return true
      end
    elseif h == item then
      return true
    end
  end
  return false
end

-- Looks at the entry (tid, ms): nil to go on, or the reply once the limit or maxScan is reached.
local function visit(tid, ms)
  scanned = scanned + 1
  local t = getT(tid)
  if t and (user == '' or t.h == user) and (state == '' or t.js == state) and inScope(t.h) then
    local job = jobOf(tid)
    if job then
      out[#out + 1] = {id = tid, ms = ms, t = t, job = job, rank = redis.call('zrank', QUEUE, tid) or -1}
      if #out >= limit then
        return reply({full = true})
      end
    end
  end
  if scanned >= maxScan then
    return reply({cut = {ms = ms, id = tid}})
  end
  return nil
end

if indexIsList() then
  local before = cms and indexBelow(indexEntry(cms, ctid)) or redis.call('llen', INDEX)
  while before > 0 do
    local from = math.max(0, before - CHUNK)
    local chunk = redis.call('lrange', INDEX, from, before - 1)
    for i = #chunk, 1, -1 do
      local ms, tid = indexParse(chunk[i])
      local done = visit(tid, ms)
      if done then
        return done
      end
    end
    before = from
  end
  return reply()
end

-- an index of the earlier form (a sorted set), not yet rewritten by a script that writes
local max = cms and ARGV[11] or '+inf'
local offset = 0
while true do
  local chunk = redis.call('zrevrangebyscore', INDEX, max, '-inf', 'WITHSCORES', 'LIMIT', offset, CHUNK)
  if #chunk == 0 then
    break
  end
  offset = offset + #chunk / 2
  for i = 1, #chunk, 2 do
    local tid, ms = chunk[i], tonumber(chunk[i + 1])
    if not (cms and ms == cms and tid >= ctid) then
      local done = visit(tid, ms)
      if done then
        return done
      end
    end
  end
end
return reply()
