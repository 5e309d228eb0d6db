package redisqueue

import "github.com/redis/go-redis/v9"

// ownedLua, at the start of a script, sets owned when ARGV[2] is the
// consumer holding entry ARGV[3] pending in group ARGV[1] of stream
// KEYS[1]. A missing group means nobody holds it.
const ownedLua = `
local owned = false
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if type(p) == 'table' and p.err == nil and p[1] ~= nil and p[1][2] == ARGV[2] then
  owned = true
end
`

// heartbeatScript resets the idle time of a leased entry, if the lease's
// consumer still holds it. A bare XCLAIM would also take the entry back
// from a worker that took it over. JUSTID leaves the delivery count,
// which counts attempts, alone. Returns 1 if held, else 0.
var heartbeatScript = redis.NewScript(ownedLua + `
if not owned then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`)

// settleScript ends a lease in one step, so that a crash or outage
// cannot leave a job both re-added and still pending, nor acknowledged
// and unreported.
//
// KEYS[1] is the job stream, KEYS[2] the events stream, KEYS[3] the
// stream the job moves to (the job stream again for a retry, or the dead
// letters). ARGV[1..3] are group, consumer and entry ID, ARGV[4] is "1"
// when only the holder may settle, ARGV[5] the event's JSON or "",
// ARGV[6] the length cap of events and dead letters, and ARGV[7..] the
// fields of the entry added to KEYS[3] (none: the job moves nowhere).
// Returns 1 if the consumer held the entry, else 0 (and, when only the
// holder may settle, does nothing).
var settleScript = redis.NewScript(ownedLua + `
if ARGV[4] == '1' and not owned then return 0 end
if #ARGV > 6 then
  local add = {'XADD', KEYS[3]}
  if KEYS[3] ~= KEYS[1] then
    table.insert(add, 'MAXLEN')
    table.insert(add, '~')
    table.insert(add, ARGV[6])
  end
  table.insert(add, '*')
  for i = 7, #ARGV do table.insert(add, ARGV[i]) end
  redis.call(unpack(add))
end
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'event', ARGV[5])
end
redis.pcall('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if owned then return 1 end
return 0
`)
