/**
 * Checks every counter of one request and, only when all admit it (and ARGV[1] is `consume`),
 * takes one from each: atomic, one round trip. The clock is Redis's own TIME, so every gateway
 * instance counts on the same clock. The arithmetic mirrors sliding-log.ts and token-bucket.ts.
 *
 * KEYS: one counter per check. ARGV: mode, then per check: algorithm, limit, windowMs, burst.
 * Returns four integers per check: allowed (1/0), remaining, resetMs, retryAfterMs.
 *
 * Sliding window: a sorted set of admissions scored in microseconds. Token bucket: a hash
 * {tokens, ts (µs)}. Numbers written back are formatted explicitly: Lua's default tostring keeps
 * only 14 digits, too few for a microsecond timestamp.
 *
 * Callers pass distinct counters: a key given twice would be evaluated once and taken from twice.
 * The keys of one call may live in different slots: this needs a single Redis (or a cluster with
 * hash tags chosen by the caller so that one request's counters share a slot).
 */
export const LIMIT_SCRIPT = `
local time = redis.call('TIME')
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])
local now_ms = now_us / 1000
local take = ARGV[1] == 'consume'
local EPSILON = 1e-9

local function wait_ms(ms)
  if ms <= 0 then return 0 end
  return math.ceil(ms)
end

local checks = {}
local replies = {}
local all_admit = true

-- First pass: evaluate every counter, write nothing.
for i = 1, #KEYS do
  local base = 2 + (i - 1) * 4
  local key = KEYS[i]
  local c = { algorithm = ARGV[base], limit = tonumber(ARGV[base + 1]), window = tonumber(ARGV[base + 2]), burst = tonumber(ARGV[base + 3]) }
  local allowed, remaining, reset, retry
  if c.algorithm == 'sliding_window' then
    c.since_us = now_us - c.window * 1000
    local since = string.format('(%.0f', c.since_us)
    c.count = redis.call('ZCOUNT', key, since, '+inf')
    allowed = c.count < c.limit
    remaining = math.max(0, c.limit - c.count)
    reset, retry = 0, 0
    if c.count > 0 then
      local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
      reset = wait_ms((tonumber(newest[2]) - c.since_us) / 1000)
    end
    if not allowed then
      -- The (count-limit+1)th oldest entry in the window must leave (a lowered limit needs more than one).
      local leaving = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', math.max(0, c.count - c.limit), 1)
      if leaving[2] then retry = wait_ms((tonumber(leaving[2]) - c.since_us) / 1000) else retry = c.window end
    end
  else
    local bucket = redis.call('HMGET', key, 'tokens', 'ts')
    c.tokens = c.burst
    if bucket[1] and bucket[2] then
      local elapsed_ms = math.max(0, (now_us - tonumber(bucket[2])) / 1000)
      c.tokens = math.min(c.burst, tonumber(bucket[1]) + elapsed_ms * c.limit / c.window)
    end
    c.ms_per_token = c.window / c.limit
    allowed = c.tokens >= 1 - EPSILON
    remaining = math.max(0, math.floor(c.tokens + EPSILON))
    reset = wait_ms((c.burst - c.tokens) * c.ms_per_token - EPSILON)
    retry = 0
    if not allowed then retry = wait_ms((1 - c.tokens) * c.ms_per_token - EPSILON) end
  end
  if not allowed then all_admit = false end
  checks[i] = c
  replies[i] = { allowed and 1 or 0, remaining, reset, retry }
end

-- Second pass, only when every counter admits: take one from each.
if take and all_admit then
  for i = 1, #KEYS do
    local key = KEYS[i]
    local c = checks[i]
    if c.algorithm == 'sliding_window' then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', c.since_us))
      redis.call('ZADD', key, string.format('%.0f', now_us), string.format('%.0f:%d', now_us, c.count))
      redis.call('PEXPIRE', key, wait_ms(c.window))
      replies[i] = { 1, c.limit - c.count - 1, wait_ms(c.window), 0 }
    else
      local left = c.tokens - 1
      redis.call('HSET', key, 'tokens', string.format('%.17g', left), 'ts', string.format('%.0f', now_us))
      local reset = wait_ms((c.burst - left) * c.ms_per_token - EPSILON)
      redis.call('PEXPIRE', key, wait_ms((c.burst - left) * c.ms_per_token) + 1000)
      replies[i] = { 1, math.max(0, math.floor(left + EPSILON)), reset, 0 }
    end
  end
end

local flat = {}
for i = 1, #replies do
  for j = 1, 4 do flat[#flat + 1] = replies[i][j] end
end
return flat
`;
