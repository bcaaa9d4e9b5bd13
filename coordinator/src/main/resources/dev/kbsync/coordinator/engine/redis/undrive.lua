-- Gives up the driver key of a KB if this coordinator holds it. ARGV: prefix, coordinatorId.
if redis.call('get', ARGV[1] .. 'driver') == ARGV[2] then
  redis.call('del', ARGV[1] .. 'driver')
  return {1}
end
return {0}
