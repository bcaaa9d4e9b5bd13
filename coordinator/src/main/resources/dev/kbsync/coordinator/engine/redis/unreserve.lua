-- Worker affinity: the grant ARGV[11] (a lease id) is no longer reserved for its preferred worker (the worker did not
-- take it within the window, is busy or unknown to the coordinator that dispatches it): any worker may claim it.
-- Reply: {}.
local g = currentGrant()
if g and g.lease == ARGV[11] then
  redis.call('hdel', LEASE, 'pref')
end
return cjson.encode({})
