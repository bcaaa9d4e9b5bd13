-- Claims the KB's webhook deliveries that are due, at most ARGV[12]: each is pushed out by the delivery lease
-- (ARGV[11] ms), so another coordinator delivers it if this one dies before reporting, and counts one more attempt.
-- Reply: {due = [{ticket, job (the submitted record), view (see ticketView), cb (URL), wd (ms it became due), wn
-- (attempt)}], left = deliveries still in the set (those claimed now included)}; a job gone (past its retention) or
-- without a URL leaves the set.
local now = nowMs()
local due = {}
for _, tid in ipairs(redis.call('zrangebyscore', HOOKS, '-inf', now, 'LIMIT', 0, tonumber(ARGV[12]))) do
  local t = getT(tid)
  local job = jobOf(tid)
  if not t or not job or not t.cb or not t.wd then
    redis.call('zrem', HOOKS, tid)
  else
    t.wn = (t.wn or 0) + 1
    putT(tid, t)
    redis.call('zadd', HOOKS, now + tonumber(ARGV[11]), tid)
    due[#due + 1] = {ticket = tid, job = job, view = ticketView(tid, now), cb = t.cb, wd = t.wd, wn = t.wn}
  end
end
return cjson.encode({due = due, left = redis.call('zcard', HOOKS)})
