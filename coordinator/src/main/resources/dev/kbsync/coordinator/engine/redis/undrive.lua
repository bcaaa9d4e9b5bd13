-- Gives up the driver key of a KB if this coordinator holds it. Reply: {}.
if redis.call('get', DRIVER) == COORDINATOR then
  redis.call('del', DRIVER)
end
return cjson.encode({})
