/**
 * Writes fields of one hash unless the stored value is newer, then extends the key's expiry
 * (never shortens it). Atomic per key, so two sink instances racing on a market cannot
 * interleave a compare and a write.
 * KEYS[1]: the hash; ARGV[1]: expire-at in ms; then quadruples of field, t (ms), o (offset),
 * value. A value starts with {"t":<ms>,"o":<offset>, which the script reads without decoding the
 * rest of the JSON. Newer means a later t, or the same t at an offset not before the stored one
 * (a replay of an earlier record cannot undo a correction of the same time); a value stored
 * without "o" (an older version) loses to any write of the same time.
 * An expire-at already past deletes the key: a replay of a finished event does not bring it back.
 * Returns how many fields were written.
 */
export const writeNewerScript = `
local key = KEYS[1]
local written = 0
for i = 2, #ARGV, 4 do
  local current = redis.call('HGET', key, ARGV[i])
  local newer = true
  if current then
    local t = tonumber(string.match(current, '^{"t":(%d+)'))
    local o = tonumber(string.match(current, '^{"t":%d+,"o":(%d+)'))
    local nt, no = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
    if t and (t > nt or (t == nt and o and o > no)) then newer = false end
  end
  if newer then
    redis.call('HSET', key, ARGV[i], ARGV[i + 3])
    written = written + 1
  end
end
local expireAt = tonumber(ARGV[1])
local ttl = redis.call('PTTL', key)
if ttl == -1 then
  redis.call('PEXPIREAT', key, expireAt)
elseif ttl >= 0 then
  local now = redis.call('TIME')
  local expiresAt = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl
  if expireAt > expiresAt then redis.call('PEXPIREAT', key, expireAt) end
end
return written
`;
