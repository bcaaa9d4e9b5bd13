-- Claims (or confirms) the driver key of a KB. Reply: {driving}.
local d = redis.call('get', DRIVER)
if d == COORDINATOR then
  redis.call('pexpire', DRIVER, DRIVER_TTL)
  return cjson.encode({driving = true})
end
if not d then
  redis.call('set', DRIVER, COORDINATOR, 'PX', DRIVER_TTL)
  return cjson.encode({driving = true})
end
return cjson.encode({driving = false})
