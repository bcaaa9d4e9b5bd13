-- Prepended to every per-KB script. Every key a script touches is one of the KB's keys below, all declared in KEYS
-- (in this order, all in the KB's hash slot {kb:<id>}), so a script whose slot is migrating fails before it writes.
-- Every script gets the same ARGV header (see Tickets): its own arguments start at ARGV[11]. Replies are JSON
-- objects (cjson), decoded in one place in Java (Replies). Time is Redis TIME, so coordinators with skewed clocks
-- agree on expiries.
local QUEUE, SEQ, FENCE, LEASE, ALIVE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local TICKETS, JOBS, ENDED, DRIVER, STATS = KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local LOCK, LOCK_QUEUE, LOCK_TIMEOUT = KEYS[11], KEYS[12], KEYS[13]
local RECENT, FAILURES = KEYS[14], KEYS[15]
-- The KB's jobs in list order (see indexEntry), for the job list; an entry goes with its records.
local INDEX = KEYS[16]
-- The KB's webhook deliveries due (ZSET: ticket id -> due ms; a claimed one is pushed out by its delivery lease).
local HOOKS = KEYS[17]
-- What names a job besides its id, for as long as its record is kept (HASH; KbKeys.claims): an idempotency key
-- (i:<user>:<key> -> the first job's ticket; the job's ticket names it as ik) and a journal job's id restored onto
-- another job (r:<ticket> -> that job's ticket; listed on that job's ticket as ra). The sweep deletes them with the
-- record that names them (sweep.lua, purge).
local CLAIMS = KEYS[18]
local KB, OWNER, MAX_HOLD, PUBLISH = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local MAX_ATTEMPTS, RETENTION, NONCE = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local WAITER_TTL, COORDINATOR, DRIVER_TTL = tonumber(ARGV[8]), ARGV[9], ARGV[10]
-- What a submit's checks (submit.lua, run before enqueue.lua in the same step) hand on: remaining (for the reply), the
-- least room left in the rate windows it counted in; ik, the idempotency key it claimed (its field in CLAIMS, named on
-- the new job's ticket); for a job restored from a degraded journal, ff (the token of its first degraded grant) and
-- landed (the outcome of a degraded run that landed it).
local submitted = {}
-- Ended raw leases are kept at most an hour (GET /v1/leases/{id} still answers); finished jobs for the retention.
local RAW_KEEP = math.min(RETENTION, 3600000)
-- A Redisson waiter woken because the lock became free has this long to take it before it counts as dead.
local WAKE_GRACE = 3000
-- The KB's recently finished jobs (ticket ids, newest first): the last of any outcome, and the last failed ones
-- (RecentJobs.MAX_JOBS, MAX_FAILURES).
local RECENT_KEEP, FAILURES_KEEP = 20, 10

local function nowMs()
  local c = redis.call('time')
  return c[1] * 1000 + math.floor(c[2] / 1000)
end

local function num(v)
  return v and tonumber(v)
end

-- The job index is a LIST, oldest first, of one entry per job: its position in the job list, the job's created ms as
-- 11 hex digits then its ticket id, so that entries compare as positions do (ms, then ticket id). A list is stored as
-- listpacks at any length, about 37 bytes an entry; the sorted set it replaces cost about 123 past 128 entries.
-- Entries are kept in order (indexAdd), so a position is found by bisection (indexBelow). An index of the earlier form
-- (ZSET: ticket id -> created ms) is rewritten as a list by the first script that writes to it (indexWritable);
-- read-only scripts read either form.
local INDEX_HEX = 11

local function indexEntry(ms, tid)
  return string.format('%0' .. INDEX_HEX .. 'x', ms) .. tid
end

local function indexParse(entry)
  return tonumber(entry:sub(1, INDEX_HEX), 16), entry:sub(INDEX_HEX + 1)
end

local function indexIsList()
  return redis.call('type', INDEX).ok ~= 'zset'
end

local function indexWritable()
  if indexIsList() then
    return
  end
  local all = redis.call('zrange', INDEX, 0, -1, 'WITHSCORES') -- by score, then member: position order
  redis.call('del', INDEX)
  local batch = {}
  for i = 1, #all, 2 do
    batch[#batch + 1] = indexEntry(tonumber(all[i + 1]), all[i])
    if #batch == 1000 or i + 1 == #all then
      redis.call('rpush', INDEX, unpack(batch))
      batch = {}
    end
  end
end

-- How many entries of the (list) index come before entry: the index of the first one at or after it.
local function indexBelow(entry)
  local lo, hi = 0, redis.call('llen', INDEX)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('lindex', INDEX, mid) < entry then
      lo = mid + 1
    else
      hi = mid
    end
  end
  return lo
end

-- Adds a job's entry in position order: at the tail, unless a later position is there (the same ms with a larger
-- ticket id, or a clock that went back), in which case later entries move up one place each, from the tail, until
-- the entry fits (at most INDEX_SHIFT of them; past that it stays where it is, out of order).
local INDEX_SHIFT = 1000
local function indexAdd(ms, tid)
  indexWritable()
  local entry = indexEntry(ms, tid)
  local tail = redis.call('lindex', INDEX, -1)
  if not tail or tail < entry then
    redis.call('rpush', INDEX, entry)
    return
  end
  redis.call('rpush', INDEX, tail)
  local at = -2
  while true do
    local before = redis.call('lindex', INDEX, at - 1)
    if not before or before < entry or -at > INDEX_SHIFT then
      redis.call('lset', INDEX, at, entry)
      return
    end
    redis.call('lset', INDEX, at, before)
    at = at - 1
  end
end

-- Whether the job created at ms is in the index.
local function indexHas(ms, tid)
  indexWritable()
  local entry = indexEntry(ms, tid)
  return redis.call('lindex', INDEX, indexBelow(entry)) == entry
end

-- Tickets are JSON records in the KB's tickets hash (field = ticket id): k (job|lease), h (holder or user), c (created
-- ms), ttl, th (synthetic Redisson thread id = seq), s (waiting|granted|released|expired), f (token of the last grant),
-- a (attempts: claims by workers), ty (note|agent), b (head lease of the group commit it runs in), l (id of its last
-- grant); jobs also js (queued|running|done|failed), ff (token of the first grant), rd (ms since it waits for a worker
-- at its KB's head: its place among the ready KBs, see grantHead), hw (claims by workers not given back unrun, while
-- it waits or runs: see cancel.lua), st, fin (ms), cm (commit), cu
-- (commit link), fl (files JSON), rs (an agent's answer), er (error JSON), o (1: its last grant, l, recorded the outcome), w
-- (worker), tk (the name of the
-- token that submitted it; '' when unknown), cb (its callback URL), wd (ms its webhook became due: once, at its
-- terminal state), wn (webhook delivery attempts), e (ms it left the queue, for a job that did without finishing), ik
-- (its idempotency key's field in CLAIMS), ra (tickets of journal jobs restored onto it: their fields in CLAIMS).
--
-- A job that left the queue for good (s released or expired) is stored compactly, in one hash field: its submitted
-- record is folded into its ticket (p: the payload, jc: its creation time in µs minus c * 1000; j: a record of another
-- form, as stored) and leaves the jobs hash; k is left out (a ticket with js and no k is a job's), so is th (a thread
-- id matters only while queued), and s, ty and a at their usual values (released, note, 1), o too for a done job (whose
-- o is 0 when it had none); l is kept as ln, what follows '<kb>~<ticket>.<f>.' (a job grant's lease id, see
-- jobLeaseId); f, st and fin as their distance from c (fd, sd, nd; fe for f when ff equals it, and ff is left out); fl
-- (a JSON array in a string) as the array itself, a file without a link in it as one string (the initial of its change,
-- then its path), and the whole as a positional array (POSITIONAL, below). getT undoes all of it, so a script sees the
-- same ticket either way (records written before this form, the compact object included, read as they are); the
-- folded record is kept apart (jobOf), not on the ticket.
local folded = {}
local RELATIVE = {f = 'fd', st = 'sd', fin = 'nd'}
local CHANGES = {c = 'created', e = 'edited', d = 'deleted'}

-- fl of a compact record (a table) as the JSON string it was, or the compact table of that string (nil: keep it so).
local function filesOut(list)
  for i, file in ipairs(list) do
    if type(file) == 'string' then
      list[i] = {change = CHANGES[file:sub(1, 1)], path = file:sub(2)}
    end
  end
  return cjson.encode(list)
end

local function filesIn(json)
  if json:sub(1, 2) ~= '[{' then
    return nil
  end
  local list = cjson.decode(json)
  for i, file in ipairs(list) do
    local code = type(file) == 'table' and type(file.change) == 'string' and file.change:sub(1, 1)
    local n = 0
    for _ in pairs(file) do
      n = n + 1
    end
    if n == 2 and type(file.path) == 'string' and code and CHANGES[code] == file.change then
      list[i] = code .. file.path
    end
  end
  return list
end

-- The compact record is stored as a JSON array without field names: POSITIONAL's fields in order (null where one is
-- absent, trailing nulls left out), then, if the record has any other field, an object of those; a note's payload of
-- its text alone is that string (p). About 70 bytes less than the object for a finished note.
local POSITIONAL = {'c', 'js', 'h', 'ttl', 'jc', 'p', 'sd', 'nd', 'fe', 'ln', 'w', 'cm', 'fl'}

-- Takes POSITIONAL's fields out of c (putT's own copy); what is left of it is the trailing object.
local function toPositional(c)
  local list, last = {}, 0
  for i, field in ipairs(POSITIONAL) do
    if c[field] ~= nil then
      list[i], last = c[field], i
      c[field] = nil
    else
      list[i] = cjson.null
    end
  end
  if next(c) then
    list[#POSITIONAL + 1] = c
  else
    for i = #POSITIONAL, last + 1, -1 do
      list[i] = nil
    end
  end
  return list
end

local function fromPositional(list)
  local t = type(list[#POSITIONAL + 1]) == 'table' and list[#POSITIONAL + 1] or {}
  for i, field in ipairs(POSITIONAL) do
    if list[i] ~= nil and list[i] ~= cjson.null then
      t[field] = list[i]
    end
  end
  return t
end

local function leasePrefix(tid, fence)
  return KB .. '~' .. tid .. '.' .. fence .. '.'
end

local function getT(tid)
  local raw = redis.call('hget', TICKETS, tid)
  if not raw then
    return nil
  end
  local t = cjson.decode(raw)
  if raw:sub(1, 1) == '[' then
    t = fromPositional(t)
  end
  if t.js and not t.k then
    t.k, t.s, t.ty, t.a = 'job', t.s or 'released', t.ty or 'note', t.a or 1
    if t.js == 'done' then
      t.o = (t.o or 1) == 1 and 1 or nil
    end
    if t.fe then
      t.f, t.ff, t.fe = t.c + t.fe, t.c + t.fe, nil
    end
    for field, rel in pairs(RELATIVE) do
      if t[rel] then
        t[field], t[rel] = t.c + t[rel], nil
      end
    end
    if type(t.fl) == 'table' then
      t.fl = filesOut(t.fl)
    end
    if t.ln then
      t.l, t.ln = leasePrefix(tid, t.f) .. t.ln, nil
    end
    if t.p then
      folded[tid] = {p = type(t.p) == 'string' and {text = t.p} or t.p, c = t.c * 1000 + t.jc}
    elseif t.j then
      folded[tid] = {j = t.j}
    end
    t.p, t.jc, t.j = nil, nil, nil
  end
  return t
end

-- True when the ticket t is another token's: caller names a token (not '': any caller may, an admin, a worker) and t
-- keeps the name of a different one (tk; none kept: anyone may).
local function otherTokens(t, caller)
  return caller ~= nil and caller ~= '' and t.tk ~= nil and t.tk ~= '' and t.tk ~= caller
end

local function putT(tid, t)
  if t.k ~= 'job' or (t.s ~= 'released' and t.s ~= 'expired') then
    redis.call('hset', TICKETS, tid, cjson.encode(t))
    return
  end
  local c = {}
  for k, v in pairs(t) do
    c[k] = v
  end
  c.k, c.th = nil, nil
  if c.s == 'released' then
    c.s = nil
  end
  if c.ty == 'note' then
    c.ty = nil
  end
  if c.a == 1 then
    c.a = nil
  end
  if c.js == 'done' then
    c.o = c.o ~= 1 and 0 or nil
  end
  if type(c.fl) == 'string' then
    c.fl = filesIn(c.fl) or c.fl
  end
  if c.l and c.f then
    local prefix = leasePrefix(tid, c.f)
    if c.l:sub(1, #prefix) == prefix then
      c.l, c.ln = nil, c.l:sub(#prefix + 1)
    end
  end
  for field, rel in pairs(RELATIVE) do
    local d = c[field] and c[field] - c.c
    if d and d == math.floor(d) and math.abs(d) < 1e13 then
      c[field], c[rel] = nil, d
    end
  end
  if c.fd and c.ff == t.f then
    c.fe, c.fd, c.ff = c.fd, nil, nil
  end
  local f = folded[tid]
  if f and f.p then
    c.p, c.jc = f.p, f.c - t.c * 1000
    local n = 0
    for _ in pairs(f.p) do
      n = n + 1
    end
    if n == 1 and type(f.p.text) == 'string' then
      c.p = f.p.text
    end
  elseif f then
    c.j = f.j
  end
  redis.call('hset', TICKETS, tid, cjson.encode(toPositional(c)))
end

-- Folds a job's submitted record into its ticket (stored by the caller's putT) and takes it out of the jobs hash. A
-- compact record ({i, p, c}, every payload field a string, i the job's own id) is kept as its parts; any other as it is.
local function foldJob(tid, t)
  local raw = redis.call('hget', JOBS, tid)
  if not raw then
    return
  end
  local j = cjson.decode(raw)
  local parts = j.i == KB .. '~' .. tid and type(j.p) == 'table' and type(j.c) == 'number' and j.id == nil
  local n = 0
  for k, v in pairs(j) do
    n = n + 1
  end
  if parts and n == 3 then
    for k, v in pairs(j.p) do
      if type(k) ~= 'string' or type(v) ~= 'string' then
        parts = false
      end
    end
  end
  local jc = parts and n == 3 and j.c - t.c * 1000
  if jc and jc == math.floor(jc) and math.abs(jc) < 1e13 then
    folded[tid] = {p = j.p, c = j.c}
  else
    folded[tid] = {j = raw}
  end
  redis.call('hdel', JOBS, tid)
end

-- A job's submitted record as Java reads it (StoredJob): from the jobs hash while the job is live, else folded into
-- its ticket. nil for an unknown ticket or a raw lease.
local function jobOf(tid)
  local raw = redis.call('hget', JOBS, tid)
  if raw then
    return raw
  end
  if folded[tid] == nil then
    getT(tid)
  end
  local f = folded[tid]
  if not f then
    return nil
  end
  if f.j then
    return f.j
  end
  return string.format('{"i":%s,"p":%s,"c":%d}', cjson.encode(KB .. '~' .. tid), cjson.encode(f.p), f.c)
end

local function terminal(t)
  return t.js == 'done' or t.js == 'failed' or t.js == 'cancelled'
end

-- A job with a callback URL that reached its terminal state gets its webhook delivery due now, once (the caller
-- stores t).
local function dueHook(tid, t, now)
  if t.cb and not t.wd and terminal(t) then
    t.wd, t.wn = now, 0
    redis.call('zadd', HOOKS, now, tid)
  end
end

-- The ticket leaves the queue for good in state s; its records are deleted by the sweep after the retention. A
-- finished job joins the KB's recent jobs (and failures), whichever step ended it.
local function finishT(tid, t, s, now)
  if redis.call('zrem', QUEUE, tid) == 1 then
    redis.call('hset', STATS, 'moved', now) -- every ticket behind it moved up (EtaModel's reference time)
  end
  redis.call('zrem', ALIVE, tid)
  t.s = s
  t.b, t.rd, t.hw = nil, nil, nil -- rd: its place among the ready KBs, hw: whether a worker had it (cancel.lua), of
  -- no use once it ended
  if t.k == 'job' then
    dueHook(tid, t, now)
    foldJob(tid, t)
    if not t.fin then
      t.e = now -- when it ended, for a job that ended without finishing (the retention counts from fin, else e)
    end
    if not indexHas(t.c, tid) then -- submitted before the index existed: the sweep would not find it
      redis.call('zadd', ENDED, now + RETENTION, tid)
    end
  else
    redis.call('zadd', ENDED, now + RAW_KEEP, tid)
  end
  putT(tid, t)
  if t.k == 'job' and t.js ~= 'queued' and t.js ~= 'running' then
    redis.call('lpush', RECENT, tid)
    redis.call('ltrim', RECENT, 0, RECENT_KEEP - 1)
    if t.js == 'failed' then
      redis.call('lpush', FAILURES, tid)
      redis.call('ltrim', FAILURES, 0, FAILURES_KEEP - 1)
    end
  end
end

-- A job a degraded run landed ({lease, fence, commit, url, files, result}): stored done, out of the queue.
local function landedDegraded(tid, t, o, now)
  t.js, t.fin, t.ol, t.f, t.a = 'done', now, o.lease, o.fence, (t.a or 0) + 1
  t.cm, t.cu, t.fl = o.commit or '', o.url or '', o.files or '[]'
  if o.result and o.result ~= '' then
    t.rs = o.result
  end
  finishT(tid, t, 'released', now)
end

-- Hold statistics per kind (note, agent, lease; claim: how long a job's grant waits for a worker; join: how long a
-- note job's grant takes to take the notes behind it into its group commit, from the grant) in the KB's
-- stats hash, for the ETA model (EtaModel, HoldStats):
-- an exponentially weighted mean and variance of how long grants were held, a plain running mean over the first
-- HOLD_WARMUP holds, later holds clipped at three standard deviations above the mean. A note job's grant is held for
-- its whole group commit.
local HOLD_ALPHA, HOLD_WARMUP = 0.2, 5

local function holdKind(t)
  if t and t.k == 'job' then
    return t.ty == 'agent' and 'agent' or 'note'
  end
  return 'lease'
end

-- alsoAvg: also folds that hold into the KB's average hold of every kind (avg), in the same read and write.
local function recordHold(kind, held, alsoAvg)
  local s = redis.call('hmget', STATS, kind .. ':m', kind .. ':v', kind .. ':n', 'avg')
  local fields = {}
  if alsoAvg then
    fields = {'avg', math.floor((tonumber(s[4]) or held) * 0.8 + held * 0.2)}
  end
  local m, v, n = tonumber(s[1]), tonumber(s[2]), tonumber(s[3]) or 0
  if not m or n == 0 then
    m, v = held, held * held / 4
  else
    if n >= HOLD_WARMUP then
      held = math.min(held, m + 3 * math.sqrt(v)) -- one outlier (a first checkout, a gc) moves it only so far
    end
    local a = math.max(HOLD_ALPHA, 1 / (n + 1))
    local d = held - m
    m = m + a * d
    v = (1 - a) * (v + a * d * d)
  end
  redis.call('hset', STATS, kind .. ':m', math.floor(m), kind .. ':v', math.floor(v), kind .. ':n', n + 1,
    unpack(fields))
end

-- A ticket as the ETA model reads it: n (note job), a (agent job), l<ttl> (raw lease).
local function holdCode(t)
  if t and t.k == 'job' then
    return t.ty == 'agent' and 'a' or 'n'
  end
  return 'l' .. (t and t.ttl or 0)
end

-- holdCode of a ticket as stored, without decoding it (a waiter's ETA reads up to ETA_SCANNED of them): cjson writes
-- the fields unescaped, and a quote inside a string value is always escaped, so these patterns match only the fields.
local function rawHoldCode(raw)
  if raw and raw:find('"k":"job"', 1, true) then
    return raw:find('"ty":"agent"', 1, true) and 'a' or 'n'
  end
  return 'l' .. ((raw and raw:match('"ttl":(%d+)')) or 0)
end

-- The KB's stats hash as a map of numbers.
local function statsMap()
  local flat = redis.call('hgetall', STATS)
  local s = {}
  for i = 1, #flat, 2 do
    s[flat[i]] = tonumber(flat[i + 1])
  end
  return s
end

-- The KB's Redisson RFairLock, in Redisson's own format: hash '<client id>:<thread id>' -> hold count, Redisson's
-- waiter list and waiter timeouts, and per-waiter wake-up channels (PUBLISH, or SPUBLISH on a Cluster with sharded
-- pub/sub: the command Redisson's own unlock uses). Its TTL follows the grant's expiry, renewed with it.
-- Drops the Redisson waiters whose timeout passed from the head of the lock's queue; returns the first one left (nil:
-- none is queued).
local function purgeStaleWaiters(now)
  while true do
    local first = redis.call('lindex', LOCK_QUEUE, 0)
    if not first then
      return nil
    end
    local timeout = redis.call('zscore', LOCK_TIMEOUT, first)
    if timeout and tonumber(timeout) <= now then
      redis.call('zrem', LOCK_TIMEOUT, first)
      redis.call('lpop', LOCK_QUEUE)
    else
      return first
    end
  end
end

-- Wakes waiter, the first queued Redisson waiter of a free lock (what purgeStaleWaiters returned; nil: none), and
-- gives it WAKE_GRACE to take it: a live waiter does so at once; a dead one (killed while queued) is purged after it
-- instead of after its original timeout.
local function wakeFirstWaiter(now, waiter)
  if waiter then
    redis.call('zadd', LOCK_TIMEOUT, 'XX', 'LT', now + WAKE_GRACE, waiter)
    redis.call(PUBLISH, 'redisson_lock__channel:' .. LOCK .. ':' .. waiter, 0)
  end
end

-- Takes the lock for owner (or confirms owner holds it) until expiresAt, by Redisson's fair-lock rules.
local function takeFairLock(owner, expiresAt, now)
  local waiter = purgeStaleWaiters(now)
  if redis.call('exists', LOCK) == 1 then
    if redis.call('hexists', LOCK, owner) == 0 then
      return false
    end
  elseif waiter then
    wakeFirstWaiter(now, waiter)
    return false
  else
    redis.call('hset', LOCK, owner, 1)
  end
  redis.call('pexpireat', LOCK, expiresAt)
  return true
end

-- Keeps the lock as long as the grant it belongs to.
local function renewFairLock(owner, expiresAt)
  if owner and redis.call('hexists', LOCK, owner) == 1 then
    redis.call('pexpireat', LOCK, expiresAt)
  end
end

-- Drops the lock if owner holds it and wakes Redisson's first queued waiter, as Redisson's unlock does. The lock's hash
-- has one field, its holder's (a Redisson lock is held by one owner at a time), so removing owner's field drops it.
local function dropFairLock(owner, now)
  if (owner and owner ~= '' and redis.call('hdel', LOCK, owner) == 1) or redis.call('exists', LOCK) == 0 then
    wakeFirstWaiter(now, purgeStaleWaiters(now))
  end
end

-- The KB's next fencing token: one above the last one, and never below the Redis clock in ms. A failover can lose the
-- last writes of a master (the grants the sweep or a release made that no replica confirmed, which a holder may still
-- have learnt from a heartbeat, a lease read or a poll); the promoted replica's counter then lags the tokens already
-- told, but its clock does not: it is past every token of the old master as long as the failover took longer than the
-- clock skew between the Redis hosts plus the lead the counter can take over the clock (one token per grant and group
-- commit member, so only bursts of more than one grant per ms of the KB add to it). Tokens stay exact in Lua's
-- number formatting (13 digits in ms until the year 2286). Also returns the token before it (0 for the KB's first).
local function nextFence(now)
  local previous = tonumber(redis.call('get', FENCE)) or 0
  local fence = math.max(previous + 1, now)
  redis.call('set', FENCE, string.format('%d', fence))
  return fence, previous
end

local function jobLeaseId(tid, fence)
  return KB .. '~' .. tid .. '.' .. fence .. '.' .. NONCE
end

-- Grants the KB to its first live ticket if nobody holds a grant. Raw waiters whose keep-alive lapsed and jobs that
-- already finished are dropped from the head first (listed in dropped). A raw waiter granted here (not by its own
-- request, ownTid) gets the grant only until its keep-alive deadline: a live client renews it with its next
-- heartbeat, a dead one costs the KB at most the waiter TTL. ownT: the caller's own ticket as it has it (not read
-- again; updated in place when granted). Returns nil (empty queue or a grant in place),
-- {busy = true} (the RFairLock is held elsewhere or Redisson waiters are queued first), or the grant.
local function grantHead(now, ownTid, dropped, ownT)
  while redis.call('exists', LEASE) == 0 do
    local h = redis.call('zrange', QUEUE, 0, 0)
    if #h == 0 then
      return nil
    end
    local tid = h[1]
    local t = (tid == ownTid and ownT) or getT(tid)
    local alive = tid ~= ownTid and num(redis.call('zscore', ALIVE, tid)) or nil -- not read for the caller's own
    if not t then
      redis.call('zrem', QUEUE, tid)
    elseif t.k == 'lease' and tid ~= ownTid and (not alive or alive < now) then
      finishT(tid, t, 'expired', now)
      dropped[#dropped + 1] = tid
    elseif t.k == 'job' and terminal(t) then
      finishT(tid, t, 'released', now)
    else
      local deadline = now + MAX_HOLD
      -- never past its deadline: the ticket's TTL was checked against the maximum hold of the coordinator it was
      -- requested through, which may allow more than this one's (a rolling change of lease.maxHoldSeconds)
      local expires = math.min(now + t.ttl, deadline)
      if t.k == 'lease' and tid ~= ownTid then
        expires = math.min(expires, alive)
      end
      local owner = OWNER .. ':' .. t.th
      if not takeFairLock(owner, expires, now) then
        return {busy = true}
      end
      -- prev: the KB's last token before this grant (its previous grant's, or last group-commit member's), so the
      -- worker that held the KB with that token knows nobody held it in between
      local fence, prev = nextFence(now)
      local lid = KB .. '~' .. tid
      if t.k == 'job' then
        lid = jobLeaseId(tid, fence)
        t.ff = t.ff or fence
        -- rd: since when the job waits for a worker at its KB's head, kept while its grant lapses unclaimed, is given
        -- back or is made again, so that it keeps its place among the KBs ready for a worker (the ready sets' order);
        -- a job that had a worker and lost it waits anew (requeueJob)
        t.rd = t.rd or now
      end
      redis.call('hset', LEASE, 'ticket', tid, 'lease', lid, 'fence', fence, 'granted', now, 'expires', expires,
        'deadline', deadline, 'ttl', t.ttl, 'claimed', 0, 'owner', owner, 'prev', string.format('%d', prev))
      t.s, t.f, t.l = 'granted', fence, lid
      putT(tid, t)
      redis.call('zrem', ALIVE, tid)
      -- Worker affinity: a job's grant is reserved (claim.lua) for the worker that last released a grant of this KB
      local affinity = t.k == 'job' and redis.call('hget', STATS, 'aff') or nil
      if affinity then
        redis.call('hset', LEASE, 'pref', affinity)
      end
      return {ticket = tid, lease = lid, fence = fence, kind = t.k, ty = t.ty or 'note', holder = t.h, created = t.c,
        granted = now, expires = expires, deadline = deadline, ttl = t.ttl, affinity = affinity or nil, ready = t.rd}
    end
  end
  return nil
end

-- The grant as stored, or nil; doing: what its holder's last heartbeat said it was doing (extendGrant), nil if none.
local function currentGrant()
  local l = redis.call('hmget', LEASE, 'ticket', 'lease', 'fence', 'granted', 'expires', 'deadline', 'ttl', 'claimed',
    'worker', 'owner', 'batch', 'done', 'doing')
  if not l[1] then
    return nil
  end
  local members = {}
  for m in string.gmatch(l[11] or '', '%S+') do
    members[#members + 1] = m
  end
  return {ticket = l[1], lease = l[2], fence = tonumber(l[3]), granted = tonumber(l[4]), expires = tonumber(l[5]),
    deadline = tonumber(l[6]), ttl = tonumber(l[7]), claimed = l[8] == '1', worker = l[9], owner = l[10],
    members = members, done = l[12] == '1', doing = l[13] or nil}
end

-- Pushes a live grant's expiry out by its TTL (never past its deadline), the RFairLock's with it. doing (optional):
-- what the holder says it is doing now, kept with the grant (field doing) for the failure of a job whose grants lapse.
local function extendGrant(g, now, doing)
  local expires = math.min(now + g.ttl, g.deadline)
  if doing then
    redis.call('hset', LEASE, 'expires', expires, 'doing', doing)
  else
    redis.call('hset', LEASE, 'expires', expires)
  end
  renewFairLock(g.owner, expires)
  g.expires = expires
  return expires
end

-- Keeps ticket tid's lease lid alive (grant g: currentGrant()): extends the grant it holds, or the grant of the group
-- commit it is a member of, or keeps a raw waiter queued. A grant past its expiry, or a waiter past its keep-alive
-- deadline, is lost even if no sweep ended it yet. doing (optional): kept with a grant (extendGrant). Returns
-- 'granted', 'waiting' or 'lost'.
local function keepAlive(g, tid, lid, now, doing)
  local t = getT(tid)
  if g and g.expires >= now and t and (g.lease == lid or (t.b == g.lease and t.l == lid)) then
    extendGrant(g, now, doing)
    return 'granted'
  end
  if t and t.k == 'lease' and t.s == 'waiting' and lid == KB .. '~' .. tid then
    local alive = num(redis.call('zscore', ALIVE, tid))
    if alive and alive >= now then
      redis.call('zadd', ALIVE, now + WAITER_TTL, tid)
      return 'waiting'
    end
  end
  return 'lost'
end

-- A failed job's error JSON `er`, told that an earlier attempt's push may have landed (t.pu: that attempt reported
-- PUSH_UNCERTAIN and no later one found its commit), unless it says so itself.
local function uncertainError(t, er)
  if not t.pu then
    return er
  end
  local e = cjson.decode(er)
  if e.code == 'PUSH_UNCERTAIN' then
    return er
  end
  e.message = (e.message or '') .. "; an earlier attempt's push may have landed (PUSH_UNCERTAIN): look for the"
    .. " job's commit (its Kbsync-Job trailer) before submitting the note again, or retry the job, which looks for it"
  return cjson.encode(e)
end

-- doing: what the last attempt's heartbeats last said it was doing (the grant's field doing), or nil; '' says nothing.
local function failJob(t, reason, now, doing)
  t.js, t.fin = 'failed', now
  if doing == '' then
    doing = nil
  end
  if reason == 'max' then
    t.er = cjson.encode({code = 'MAX_HOLD_EXCEEDED', message = 'no outcome within the maximum hold of '
      .. (MAX_HOLD / 1000) .. ' s on each of ' .. t.a .. ' attempts'
      .. (doing and ('; the last one was ' .. doing) or '')})
  else
    t.er = cjson.encode({code = 'LEASE_EXPIRED', message = 'the worker went silent (lease expired) on each of '
      .. t.a .. ' attempts' .. (doing and ('; the last one was, at its last heartbeat, ' .. doing) or '')})
  end
  t.er = uncertainError(t, t.er)
end

-- A job whose grant ended without an outcome: queued again at its place, or, when a worker had taken it (claimed) and
-- the grant lapsed (reason ttl or max) on its last allowed attempt, failed (naming doing, as failJob). Returns true if
-- it failed.
local function requeueJob(tid, t, reason, claimed, now, doing)
  if terminal(t) then
    finishT(tid, t, 'released', now)
    return false
  end
  if claimed and (reason == 'ttl' or reason == 'max') and t.a >= MAX_ATTEMPTS then
    failJob(t, reason, now, doing)
    finishT(tid, t, 'expired', now)
    return true
  end
  t.s, t.b, t.js = 'waiting', nil, 'queued'
  if claimed then
    -- it had a worker: at its next grant it waits for one behind the KBs that waited meanwhile (a job that keeps
    -- losing its lease, stuck on its host, does not take every free worker first)
    t.rd = nil
  end
  putT(tid, t)
  return false
end

-- Ends the grant g. requeue: a job's ticket keeps its place (unless its outcome is recorded, or its attempts are used
-- up); unfinished group-commit members go back too. reason: released | ttl | max. Grants the next ticket in the same
-- step. Returns what ended, for the reply.
local function endGrant(g, requeue, reason, now)
  -- what the holder last said it was doing: named by the failure of a job whose grant lapsed on its last attempt
  local doing = reason ~= 'released' and g.doing or nil
  redis.call('del', LEASE)
  -- Worker affinity: the worker that released a grant it had taken holds the KB's freshest checkout; one whose grant
  -- lapsed (silent, or over the maximum hold) loses the preference.
  if reason == 'released' and g.claimed and g.worker then
    redis.call('hset', STATS, 'aff', g.worker)
  elseif reason ~= 'released' then
    redis.call('hdel', STATS, 'aff')
  end
  dropFairLock(g.owner, now)
  local held = now - g.granted
  local endState = reason == 'released' and 'released' or 'expired'
  local t = getT(g.ticket)
  if not (t and t.k == 'job' and not g.claimed) then -- a job's grant no worker took ran nothing: no hold to learn from
    recordHold(holdKind(t), held, true)
  end
  local failed, requeued = {}, {}
  if t then
    if g.done then
      finishT(g.ticket, t, 'released', now)
    elseif requeue and t.k == 'job' then
      if requeueJob(g.ticket, t, reason, g.claimed, now, doing) then
        failed[#failed + 1] = g.ticket
      end
    else
      finishT(g.ticket, t, endState, now)
    end
  end
  for _, m in ipairs(g.members) do
    local tm = getT(m)
    if tm then
      if requeueJob(m, tm, reason, true, now, doing) then
        failed[#failed + 1] = m
      elseif not terminal(tm) then
        requeued[#requeued + 1] = m
      end
    end
  end
  local dropped = {}
  local out = {lease = g.lease, ticket = g.ticket, fence = g.fence, held = held, reason = reason,
    worker = g.claimed and g.worker or nil,
    kind = t and t.k or 'lease', holder = t and t.h or '', ttl = g.ttl, failed = failed, requeued = requeued,
    next = grantHead(now, nil, dropped), dropped = dropped}
  return out
end

-- What the ETA model needs for a ticket at rank (EtaModel): the stats, the grant and its holder's code, and the codes of
-- the tickets waiting among the first ETA_SCANNED places ahead (the holder and running group-commit members left out).
local ETA_SCANNED = 32
local function etaInputs(rank)
  local g = currentGrant()
  local skip, holder = {}, nil
  if g then
    skip[g.ticket] = true
    for _, m in ipairs(g.members) do
      skip[m] = true
    end
    holder = holdCode(getT(g.ticket))
  end
  local ahead = {}
  if rank > 0 then
    for _, tid in ipairs(redis.call('zrange', QUEUE, 0, math.min(rank, ETA_SCANNED) - 1)) do
      if not skip[tid] then
        ahead[#ahead + 1] = rawHoldCode(redis.call('hget', TICKETS, tid))
      end
    end
  end
  return {stats = statsMap(), grant = g, holder = holder, ahead = ahead}
end

-- The ticket and the KB's grant as a lease reader needs them (the Java side decides the lease's state).
local function ticketView(tid, now)
  local t = getT(tid)
  if not t then
    return nil
  end
  local rank = redis.call('zrank', QUEUE, tid)
  return {t = t, rank = rank or -1, grant = currentGrant(), avg = tonumber(redis.call('hget', STATS, 'avg') or '0'),
    now = now}
end
