"""The shared limiter's decisions, as one Lua script that Redis runs atomically (no I/O here).

The script is :class:`cja_async._limits.LimiterCore` translated line by line, over keys
instead of attributes, so every process that names the same Redis draws from one budget:

- ``leases`` (sorted set): one member per request in flight, scored by the moment its lease
  runs out. ``ZCARD`` is ``in_flight``. A lease that runs out (its process died) is turned
  into a finished request whose response came at the lease's end: its window slots free
  ``seconds`` after that, as for any other response.
- ``free:<i>`` (sorted set per window): finished requests' slots, scored by when they free;
  the ``_free_at`` deques of ``LimiterCore``. Entries at or before *now* are dropped first.
- ``pause`` (string): ``paused_until`` after a 429.
- ``config`` (string): the limits the org's budget was set up with, so two processes that
  disagree about them fail loudly instead of running two budgets on the same keys.

Every key expires once nothing can depend on it any more, and a window's set never holds
more than that window's ``requests`` members, so memory does not grow with traffic.
Time is Redis' ``TIME`` (one clock for every host), unless a test passes an explicit *now*.

Numbers cross the Lua boundary as ``%.17g`` strings: Lua would otherwise print them with 14
digits, and the property tests demand the very same floats as ``LimiterCore``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .._config import RateLimit
from .._limits import safety_margin

__all__ = [
    "SCRIPT",
    "AcquireResult",
    "OrgKeys",
    "config_args",
    "fingerprint",
    "script_args",
]

# KEYS: leases, pause, config, free:1 .. free:n
# ARGV: op, now ('' = Redis TIME), lease seconds, concurrency, fingerprint, channel, n,
#       then (requests, seconds, margin) per window, then the operation's own arguments.
SCRIPT = r"""
local function num(x) return string.format('%.17g', x) end

local op = ARGV[1]
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[2])
end
local lease = tonumber(ARGV[3])
local concurrency = tonumber(ARGV[4])
local fingerprint = ARGV[5]
local channel = ARGV[6]
local n = tonumber(ARGV[7])
local requests, seconds, margins = {}, {}, {}
local longest = 0
for i = 1, n do
  requests[i] = tonumber(ARGV[5 + 3 * i])
  seconds[i] = tonumber(ARGV[6 + 3 * i])
  margins[i] = tonumber(ARGV[7 + 3 * i])
  longest = math.max(longest, seconds[i] + margins[i])
end
local first_arg = 8 + 3 * n
local leases, pause, config = KEYS[1], KEYS[2], KEYS[3]

local function ttl_ms(secs) return math.ceil(secs * 1000) + 1000 end

-- A lease's key outlives its last lease by a whole window: an unreaped lease must still be
-- found (and turned into window slots) by whoever comes next.
local function touch_leases() redis.call('PEXPIRE', leases, ttl_ms(lease + longest)) end

local function free_slot(i, id, ended)
  local key = KEYS[3 + i]
  redis.call('ZADD', key, num(ended + seconds[i] + margins[i]), id)
  redis.call('PEXPIRE', key, ttl_ms(math.max(0, ended - now) + seconds[i] + margins[i]))
end

-- Leases that ran out belong to processes that died: their responses count as arrived then.
local function reap()
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', num(now), 'WITHSCORES')
  for j = 1, #expired, 2 do
    local id, ended = expired[j], tonumber(expired[j + 1])
    redis.call('ZREM', leases, id)
    for i = 1, n do free_slot(i, id, ended) end
  end
  return #expired / 2
end

-- LimiterCore.delay: 0 now, a wait in seconds, or -1 when only a release can help.
local function delay(in_flight)
  if in_flight >= concurrency then return -1 end
  local wait = 0
  local paused = redis.call('GET', pause)
  if paused then wait = math.max(wait, tonumber(paused) - now) end
  for i = 1, n do
    local key = KEYS[3 + i]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', num(now))
    local held = redis.call('ZCARD', key)
    local excess = in_flight + held - requests[i]
    if excess >= 0 then
      if excess >= held then return -1 end
      local at = redis.call('ZRANGE', key, excess, excess, 'WITHSCORES')[2]
      wait = math.max(wait, tonumber(at) - now)
    end
  end
  return wait
end

local reaped = reap()
local result

if op == 'acquire' then
  local agreed = redis.call('GET', config)
  if agreed and agreed ~= fingerprint then
    return redis.error_reply('CJA_CONFIG ' .. agreed)
  end
  redis.call('SET', config, fingerprint, 'PX', ttl_ms(lease + longest))
  local in_flight = redis.call('ZCARD', leases)
  local admitted, wait = 0, 0
  for k = first_arg, #ARGV do
    wait = delay(in_flight)
    if wait ~= 0 then break end
    redis.call('ZADD', leases, num(now + lease), ARGV[k])
    in_flight = in_flight + 1
    admitted = admitted + 1
  end
  if admitted > 0 then touch_leases() end
  local lease_wait = -1
  if wait == -1 then
    local soonest = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')[2]
    if soonest then lease_wait = math.max(0, tonumber(soonest) - now) end
  end
  result = {admitted, num(wait), num(lease_wait), in_flight}
elseif op == 'release' then
  -- (id, reached, age) triples: age is how long ago the response came, on the releasing
  -- host's own monotonic clock. now - age is never earlier than the true moment (Redis ran
  -- this after the host measured age), so backdating stays on the safe side.
  local removed = 0
  for k = first_arg, #ARGV, 3 do
    local id, reached, age = ARGV[k], ARGV[k + 1], tonumber(ARGV[k + 2])
    if redis.call('ZREM', leases, id) == 1 then
      removed = removed + 1
      if reached == '1' then
        for i = 1, n do free_slot(i, id, now - math.max(0, age)) end
      end
    end
  end
  reaped = reaped + removed
  result = removed
elseif op == 'renew' then
  -- A lease lost to reaping (this process stalled past its limit) is put back: the request
  -- is still in flight, and counting it twice for a while errs on the safe side.
  local lost = 0
  for k = first_arg, #ARGV do
    if not redis.call('ZSCORE', leases, ARGV[k]) then lost = lost + 1 end
    redis.call('ZADD', leases, num(now + lease), ARGV[k])
  end
  touch_leases()
  result = lost
elseif op == 'pause' then
  local until_ = now + tonumber(ARGV[first_arg])
  local paused = redis.call('GET', pause)
  if paused then until_ = math.max(until_, tonumber(paused)) end
  redis.call('SET', pause, num(until_), 'PX', ttl_ms(until_ - now))
  result = num(until_ - now)
else
  return redis.error_reply('CJA_OP unknown operation ' .. op)
end

-- Someone may be waiting for exactly this slot (concurrency, or a window held in flight).
if reaped > 0 then redis.call('PUBLISH', channel, '1') end
return result
"""


@dataclass(frozen=True)
class OrgKeys:
    """The Redis names of one org's budget; the hash tag keeps them in one cluster slot."""

    leases: str
    pause: str
    config: str
    free: tuple[str, ...]
    channel: str

    @classmethod
    def of(cls, prefix: str, org_id: str, windows: int) -> OrgKeys:
        """The keys for ``org_id`` under ``prefix`` with ``windows`` windows."""
        base = f"{prefix}:{{{org_id}}}"
        return cls(
            leases=f"{base}:leases",
            pause=f"{base}:pause",
            config=f"{base}:config",
            free=tuple(f"{base}:free:{index}" for index in range(windows)),
            channel=f"{base}:released",
        )

    @property
    def all(self) -> list[str]:
        """Every key, in the order the script expects them."""
        return [self.leases, self.pause, self.config, *self.free]


def fingerprint(rate_limit: RateLimit) -> str:
    """The limits as a string every process of the org must agree on."""
    windows = ",".join(f"{w.requests}/{w.seconds!r}s" for w in rate_limit.windows)
    return f"concurrency={rate_limit.concurrency};windows={windows}"


def config_args(rate_limit: RateLimit, *, lease_seconds: float, channel: str) -> list[str]:
    """The part of ARGV that is the same in every run for one org (made once per limiter)."""
    args = [
        repr(float(lease_seconds)),
        str(rate_limit.concurrency),
        fingerprint(rate_limit),
        channel,
        str(len(rate_limit.windows)),
    ]
    for window in rate_limit.windows:
        args += [str(window.requests), repr(window.seconds), repr(safety_margin(window.seconds))]
    return args


def script_args(
    op: str,
    rate_limit: RateLimit,
    *,
    lease_seconds: float,
    channel: str,
    extra: Sequence[str] = (),
    now: float | None = None,
    config: Sequence[str] | None = None,
) -> list[str]:
    """ARGV for one run of :data:`SCRIPT` (``now=None``: Redis' own clock).

    ``config`` is :func:`config_args` of the same values, when the caller keeps it.
    """
    if config is None:
        config = config_args(rate_limit, lease_seconds=lease_seconds, channel=channel)
    return [op, "" if now is None else repr(float(now)), *config, *extra]


@dataclass(frozen=True)
class AcquireResult:
    """What one ``acquire`` run decided."""

    admitted: int
    # Seconds until the next request may start; ``None`` when only a release can help.
    delay: float | None
    # When blocked: seconds until the soonest lease runs out (a crashed process's slot).
    lease_wait: float | None
    in_flight: int

    @classmethod
    def parse(cls, reply: Sequence[object]) -> AcquireResult:
        """Decode the script's reply ``[admitted, delay, lease_wait, in_flight]``."""
        admitted, delay, lease_wait, in_flight = reply
        wait = float(_text(delay))
        soonest = float(_text(lease_wait))
        return cls(
            admitted=int(_text(admitted)),
            delay=None if wait < 0 else wait,
            lease_wait=None if soonest < 0 else soonest,
            in_flight=int(_text(in_flight)),
        )


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"unexpected reply from the limiter script: {value!r}")


def wait_seconds(result: AcquireResult) -> float:
    """How long a blocked queue sleeps before asking again (``inf``: until a release)."""
    if result.delay is not None:
        return result.delay
    return math.inf if result.lease_wait is None else result.lease_wait
