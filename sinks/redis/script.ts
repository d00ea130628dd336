/**
 * Writes fields of one hash unless the stored value is newer, then extends the key's expiry
 * (never shortens it). Atomic per key, so two sink instances racing on a market cannot
 * interleave a compare and a write.
 * KEYS[1]: the hash; ARGV[1]: expire-at in ms; then triples of field, t (ms), value. A value
 * starts with {"t":<ms>, which the script reads without decoding the rest of the JSON.
 * An expire-at already past deletes the key: a replay of a finished event does not bring it back.
 * Returns how many fields were written.
 */
export const writeNewerScript = `
local key = KEYS[1]
local written = 0
for i = 2, #ARGV, 3 do
  local current = redis.call('HGET', key, ARGV[i])
  local stored = current and tonumber(string.match(current, '^{"t":(%d+)'))
  if not stored or stored <= tonumber(ARGV[i + 1]) then
    redis.call('HSET', key, ARGV[i], ARGV[i + 2])
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
