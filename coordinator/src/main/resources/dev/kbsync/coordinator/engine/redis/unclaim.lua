-- Takes back the claim of grant ARGV[11] by worker ARGV[12] that Redis made but did not confirm on enough replicas in
-- time: the poll was answered 503 REPLICATION_TIMEOUT, so the worker never learned of it. The grant is unclaimed again
-- (offered again at the place its job had among the ready KBs: ready) and the attempt the claim counted is returned,
-- so a replica that lags does not use up a job's attempts; also a give-back (the worker will not run it). What the worker said it
-- was doing (the grant's doing) goes with its claim. The grant gets a new lease id and a new, larger fencing token
-- (nextFence, as a grant does; prev: the token given back), recorded on the ticket (f, l): the lease given back is lost
-- at once, so a worker that runs the job anyway (the give-back's answer never reached it) is refused its heartbeats, its
-- pre-push check and its report, and the next claim never hands out the same lease and token again. Does nothing if the
-- grant ended or changed hands meanwhile.
-- Reply: {unclaimed = true|false, ty (the job's type), ready (since when it waits: its place among the ready KBs)}.
local g = currentGrant()
if not g or g.lease ~= ARGV[11] or not g.claimed or g.worker ~= ARGV[12] or g.done or #g.members > 0 then
  return cjson.encode({unclaimed = false})
end
local t = getT(g.ticket)
if not t or t.k ~= 'job' or terminal(t) or t.js ~= 'running' or t.w ~= ARGV[12] then
  return cjson.encode({unclaimed = false})
end
redis.call('hdel', LEASE, 'claimed', 'worker', 'doing') -- what its worker said it was doing is not the next one's
local fence, prev = nextFence(nowMs())
local lid = jobLeaseId(g.ticket, fence)
redis.call('hset', LEASE, 'lease', lid, 'fence', fence, 'prev', string.format('%d', prev))
t.f, t.l = fence, lid
t.a = math.max(0, t.a - 1)
t.hw = (t.hw or 0) > 1 and t.hw - 1 or nil -- given back unrun: this claim's worker never ran it
t.js = 'queued'
putT(g.ticket, t)
return cjson.encode({unclaimed = true, ty = t.ty or 'note', ready = t.rd or g.granted})
