-- A raw lease request's check, in the one step that then queues its ticket (enqueue.lua runs right after this part):
-- the KB must be registered (its conf key, KEYS[19], in its slot), so a request racing with the KB's removal
-- (remove.lua) either lands first, and the removal is refused, or is refused here. Reply when it stops here: {r = 'nokb'}.
if redis.call('exists', KEYS[19]) == 0 then
  return cjson.encode({r = 'nokb'})
end
