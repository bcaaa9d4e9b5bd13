-- Claims (or confirms) the driver key of a KB. ARGV: prefix, coordinatorId, driverTtlMs. Returns 1 if driving.
local d = redis.call('get', ARGV[1] .. 'driver')
if d == ARGV[2] then
  redis.call('pexpire', ARGV[1] .. 'driver', ARGV[3])
  return {1}
end
if not d then
  redis.call('set', ARGV[1] .. 'driver', ARGV[2], 'PX', ARGV[3])
  return {1}
end
return {0}
