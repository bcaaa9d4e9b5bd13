-- A submit's checks, in the one step that then stores and queues its job (enqueue.lua runs right after this part):
-- the KB must be registered (its conf key, KEYS[19], in its slot, holds its duplicate window in seconds); every rate
-- window in KEYS[21..] must have room, and then counts the submission (all or none); the idempotency key (its field in
-- CLAIMS, kept as long as the job's record; or, written by an earlier version, its own key KEYS[20], which expires at
-- the retention from its submit), or else the content's duplicate check (KEYS[20], for the KB's window), must not name
-- an earlier job still stored, and is claimed for this one.
-- ARGV[19..]: claim (idem|dedupe|none), the idempotency key's field in CLAIMS ('' without one), the coordinator's clock
-- (ms, for the windows), the submission's member in the windows, for a job restored from a degraded coordinator's
-- journal the token of its first degraded grant ('': none) and the outcome of a degraded run that landed it ('': none;
-- JSON {lease, fence, commit, url, files, result}), flags: '1' when no known worker runs the job's kind (the step then
-- answers an earlier job of its claim but stores none), 'h' when a degraded coordinator handed the job to a worker
-- (it may have pushed it: not cancellable), then each window's limit and length (ms).
-- Reply when it stops here: {r = 'nokb'} | {r = 'norunner'} (nothing counted or stored) | {r = 'limited', w (1-based window), retry (ms)} | {r = 'first', ticket
-- (the first job's), dup (a duplicate within the window, not an idempotency key), job, view, eta (as job.lua),
-- remaining (the least room left in the windows)}; else enqueue.lua's.
local CONF, CLAIM = KEYS[19], KEYS[20]
local window = redis.call('get', CONF)
if not window then
  return cjson.encode({r = 'nokb'})
end
local claim, field, clock, member = ARGV[19], ARGV[20], tonumber(ARGV[21]), ARGV[22]
-- The ticket the claim names (nil: none): an idempotency key's in CLAIMS, else in an earlier version's own key.
local function claimed()
  return claim == 'idem' and redis.call('hget', CLAIMS, field) or redis.call('get', CLAIM) or nil
end
if ARGV[23] ~= '' then
  submitted.ff = tonumber(ARGV[23])
end
if ARGV[24] ~= '' then
  submitted.landed = cjson.decode(ARGV[24])
end
submitted.run = ARGV[25]:find('h', 1, true) ~= nil -- a degraded coordinator handed it to a worker
-- The payload of a stored job record, whatever its form (see foldJob): compact {i, p, c} or whole.
local function payloadOf(raw)
  local j = cjson.decode(raw)
  return j.p or j.payload
end

-- Whether two job records carry the same request (a JSON null and a missing field alike); true when it cannot tell.
local function samePayload(a, b)
  local pa, pb = payloadOf(a), payloadOf(b)
  if type(pa) ~= 'table' or type(pb) ~= 'table' then
    return true
  end
  for k, v in pairs(pa) do
    local w = pb[k]
    if (v == cjson.null and nil or v) ~= (w == cjson.null and nil or w) then
      return false
    end
  end
  for k, w in pairs(pb) do
    if w ~= cjson.null and pa[k] == nil then
      return false
    end
  end
  return true
end

-- Whether the ticket first was submitted with the callback URL cb ('': none), which is part of the request an
-- idempotency key names; true when it cannot tell (no ticket).
local function sameCallback(first, cb)
  local t = getT(first)
  return not t or (t.cb or '') == cb
end

local function firstReply(first, job, dup)
  local view = ticketView(first, nowMs())
  local eta = nil
  if view and view.rank >= 0 then
    eta = etaInputs(view.rank)
  end
  return cjson.encode({r = 'first', ticket = first, dup = dup, job = job, view = view, eta = eta,
    remaining = submitted.remaining})
end

-- An idempotency key already used for another request (another payload or callback URL) is refused (409
-- IDEMPOTENCY_MISMATCH) before any window counts it: a refused request takes no rate slot (a retry of the same request
-- still counts, below).
if claim == 'idem' then
  local first = claimed()
  local job = first and first ~= ARGV[11] and jobOf(first)
  if job and not (samePayload(job, ARGV[16]) and sameCallback(first, ARGV[18])) then
    return firstReply(first, job, false)
  end
end
local keep = 0
if claim == 'dedupe' then
  keep = tonumber(window) * 1000
end
-- A job no known worker runs is refused unless its claim names an earlier one (a retry): that one is answered below.
if ARGV[25]:find('1', 1, true) then
  local first = (claim == 'idem' or keep > 0) and claimed()
  if not (first and first ~= ARGV[11] and jobOf(first)) then
    return cjson.encode({r = 'norunner'})
  end
end
local windows = #KEYS - 20
for i = 1, windows do
  local key, limit, length = KEYS[20 + i], tonumber(ARGV[24 + 2 * i]), tonumber(ARGV[25 + 2 * i])
  redis.call('zremrangebyscore', key, '-inf', clock - length)
  local count = redis.call('zcard', key)
  if count >= limit then
    local oldest = redis.call('zrange', key, 0, 0, 'WITHSCORES')
    return cjson.encode({r = 'limited', w = i, retry = tonumber(oldest[2]) + length - clock})
  end
  local left = limit - count - 1
  if not submitted.remaining or left < submitted.remaining then
    submitted.remaining = left
  end
end
for i = 1, windows do
  redis.call('zadd', KEYS[20 + i], clock, member)
  redis.call('pexpire', KEYS[20 + i], tonumber(ARGV[25 + 2 * i]))
end
if claim == 'idem' or keep > 0 then
  local first = claimed()
  local job = first and first ~= ARGV[11] and jobOf(first)
  if job then
    local ft = (submitted.ff or submitted.landed) and getT(first) -- a restore's only: a retried submit reads no ticket
    if submitted.ff and ft and ft.k == 'job' and (ft.js == 'queued' or ft.js == 'running') then
      -- A journal's job restored onto an earlier job of its key or content (one stored in Redis but answered late,
      -- then retried during the outage) that a degraded worker had, from its first token submitted.ff on: whichever
      -- worker runs the earlier job later (a grant live through the restore, or one made before the restore reached
      -- it) looks for the journal job's commit too (ra, the journal jobs restored onto it; restoredas.lua keeps the
      -- same), and its search reaches down to that token (ff).
      if not ft.ff or submitted.ff < ft.ff then
        ft.ff = submitted.ff
      end
      local ra, known = ft.ra or {}, false
      for _, restored in ipairs(ra) do
        known = known or restored == ARGV[11]
      end
      if not known then
        ra[#ra + 1] = ARGV[11]
      end
      ft.ra = ra
      if submitted.run then -- its request may have landed: the earlier job is no longer cancellable (cancel.lua)
        ft.hw = math.max(ft.hw or 0, 1)
      end
      putT(first, ft)
    end
    if submitted.landed then
      -- ... and which a degraded run landed: the earlier job, still waiting, carries the same request and does not
      -- run it again.
      if ft and ft.k == 'job' and ft.js == 'queued' and ft.s == 'waiting' then
        landedDegraded(first, ft, submitted.landed, nowMs())
        job = jobOf(first)
      end
    end
    return firstReply(first, job, claim == 'dedupe')
  end
  -- free, or its job is gone (past the retention)
  if claim == 'idem' then
    redis.call('hset', CLAIMS, field, ARGV[11])
    submitted.ik = field
  else
    redis.call('set', CLAIM, ARGV[11], 'PX', keep)
  end
end
