-- Shared by enqueue.lua, grant.lua and release.lua (prepended to each): granting a KB's head ticket, which takes the
-- KB's Redisson RFairLock in the same atomic step.
--
-- The RFairLock (key P..'lock') is kept in Redisson's own format, so Redisson clients see and respect it: a hash
-- '<Redisson client id>:<thread id>' -> hold count, with Redisson's waiter list 'redisson_lock_queue:<key>', their
-- timeouts 'redisson_lock_timeout:<key>' and per-waiter wake-up channels 'redisson_lock__channel:<key>:<waiter>'.
-- A grant takes it only by Redisson's fair-lock rules (free, and no live Redisson waiter queued first); otherwise
-- the script answers 'lock-busy' and the KB's driver waits for it with RFairLock.lockAsync (the slow path).

local function nowMs()
  local c = redis.call('time')
  return c[1] * 1000 + math.floor(c[2] / 1000)
end

local function fairLockKeys(P)
  local L = P .. 'lock'
  return L, 'redisson_lock_queue:' .. L, 'redisson_lock_timeout:' .. L, 'redisson_lock__channel:' .. L
end

-- Takes the RFairLock for owner, or confirms owner already holds it; sets its TTL. Purges timed-out Redisson
-- waiters at the head of its queue first, as Redisson does.
local function takeFairLock(P, owner, ttlMs, now)
  local L, Q, T = fairLockKeys(P)
  while true do
    local first = redis.call('lindex', Q, 0)
    if not first then
      break
    end
    local timeout = redis.call('zscore', T, first)
    if timeout and tonumber(timeout) <= now then
      redis.call('zrem', T, first)
      redis.call('lpop', Q)
    else
      break
    end
  end
  if redis.call('hexists', L, owner) == 0 then
    if redis.call('exists', L) == 1 or redis.call('llen', Q) > 0 then
      return false
    end
    redis.call('hset', L, owner, 1)
  end
  redis.call('pexpire', L, ttlMs)
  return true
end

-- Drops the RFairLock if owner holds it and wakes Redisson's first queued waiter, as Redisson's unlock does.
local function dropFairLock(P, owner)
  local L, Q, _, C = fairLockKeys(P)
  if owner and owner ~= '' and redis.call('hexists', L, owner) == 1 then
    redis.call('del', L)
  end
  if redis.call('exists', L) == 0 then
    local waiter = redis.call('lindex', Q, 0)
    if waiter then
      redis.call('publish', C .. ':' .. waiter, 0)
    end
  end
end

-- Grants the KB to its first ticket if nobody holds a grant. lockOwner is the Redisson client id the RFairLock is
-- taken under (the ticket's seq is the thread id). Returns {} (empty queue or a grant in place), {'lock-busy'}, or
-- {'granted', fence, leaseId, kind, job, created, now, holder, expires, ttl, ticket}.
local function grantHead(P, kbId, maxHoldMs, lockOwner, now)
  local h = redis.call('zrange', P .. 'queue', 0, 0)
  if #h == 0 or redis.call('exists', P .. 'lease') == 1 then
    return {}
  end
  local tid = h[1]
  local tk = P .. 'ticket:' .. tid
  local t = redis.call('hmget', tk, 'kind', 'job', 'created', 'ttl', 'holder', 'thread')
  local owner = lockOwner .. ':' .. t[6]
  if not takeFairLock(P, owner, tonumber(maxHoldMs), now) then
    return {'lock-busy'}
  end
  local fence = redis.call('incr', P .. 'fence')
  local lid = kbId .. '~' .. tid
  if t[1] == 'job' then
    lid = lid .. '.' .. fence
  end
  local expires = now + tonumber(t[4])
  redis.call('hset', P .. 'lease', 'ticket', tid, 'lease', lid, 'fence', fence, 'granted', now,
    'expires', expires, 'deadline', now + tonumber(maxHoldMs), 'ttl', t[4], 'claimed', 0, 'owner', owner)
  redis.call('hset', tk, 'state', 'granted', 'fence', fence)
  redis.call('zrem', P .. 'alive', tid)
  return {'granted', fence, lid, t[1], t[2], t[3], now, t[5], expires, t[4], tid}
end

