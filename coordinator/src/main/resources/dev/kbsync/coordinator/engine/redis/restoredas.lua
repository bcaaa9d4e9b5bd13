-- Keeps that the journal job ARGV[11] (its ticket) was restored onto the job ARGV[12] (its ticket): the first job of its
-- idempotency key, stored in Redis but answered late, whose request the journal job's retry carried. The journal's id
-- (what its 202 named) then answers that job for as long as that job's record is kept (the sweep deletes the claim with
-- it, see CLAIMS). Reply: {kept (false: that job's record is gone already)}.
local first = ARGV[12]
local t = getT(first)
if not t then
  return cjson.encode({kept = false})
end
redis.call('hset', CLAIMS, 'r:' .. ARGV[11], first)
local ra = t.ra or {}
for _, restored in ipairs(ra) do
  if restored == ARGV[11] then
    return cjson.encode({kept = true})
  end
end
ra[#ra + 1] = ARGV[11]
t.ra = ra
putT(first, t)
return cjson.encode({kept = true})
