"""One org budget across processes and hosts, shared through Redis (``pip install
'cja-async[redis]'``, or ``pip install '.[redis]'`` from a checkout)::

    from cja_async import Client
    from cja_async.redis import RedisLimiterBackend

    backend = RedisLimiterBackend("redis://localhost:6379/0")
    async with backend, Client(org_id=..., credentials=..., limiter_backend=backend) as cja:
        ...

Every process that names the same Redis (and key prefix) draws from one budget per org, with
the guarantee of the in-process limiter. See :class:`RedisLimiterBackend`.
"""

from .._extras import install_hint

try:
    import redis.asyncio  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(f"cja_async.redis needs redis-py: {install_hint('redis')}") from exc

from .._exceptions import LimiterUnavailableError  # defined there: catchable without redis
from ._backend import RedisLimiter, RedisLimiterBackend

__all__ = ["LimiterUnavailableError", "RedisLimiter", "RedisLimiterBackend"]
