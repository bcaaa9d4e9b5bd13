-- Gives back the notes a group commit's extend step took (ARGV[12]: their tickets, space-separated) under grant
-- ARGV[11], when Redis made that step but did not confirm it on enough replicas in time: the extend was answered 503
-- REPLICATION_TIMEOUT, so the worker never learned of them. Each goes back to waiting at its place, the attempt the
-- step counted returned, and the grant is the head's alone again: its report ends it, and the notes are handed out
-- at once, not after the grant lapses with them. Does nothing unless the grant, its batch and every member are as that
-- step left them, and no later step's answer named them (ARGV[13]: the count of such answers in the withheld one: a
-- retry through another coordinator may have told the worker of them). Reply: {returned = true|false}.
local g = currentGrant()
local tids = {}
for tid in string.gmatch(ARGV[12], '%S+') do
  tids[#tids + 1] = tid
end
if not g or g.lease ~= ARGV[11] or not g.claimed or g.done or #g.members ~= #tids or #tids == 0
    or redis.call('hget', LEASE, 'answers') ~= ARGV[13] then
  return cjson.encode({returned = false})
end
local members = {}
for i, tid in ipairs(tids) do
  local t = getT(tid)
  if g.members[i] ~= tid or not t or t.k ~= 'job' or terminal(t) or t.js ~= 'running' or t.b ~= ARGV[11] then
    return cjson.encode({returned = false})
  end
  members[i] = t
end
for i, tid in ipairs(tids) do
  local t = members[i]
  t.s, t.b, t.js = 'waiting', nil, 'queued'
  t.a = math.max(0, t.a - 1)
  t.hw = (t.hw or 0) > 1 and t.hw - 1 or nil
  putT(tid, t)
end
redis.call('hdel', LEASE, 'batch')
return cjson.encode({returned = true})
