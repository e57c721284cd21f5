"""The limiter's public names: what a slot is, what a limiter and a backend must offer.

Most programs never touch these: every ``Client`` goes through its org's limiter by itself.
They are for code that annotates or wraps a limiter, or passes a backend of its own as
``Client(limiter_backend=...)``::

    from cja_async.limits import Limiter

    async def send_one(limiter: Limiter) -> None:
        async with limiter.slot() as slot:  # waits for the org's turn
            ...

``cja_async.redis.RedisLimiterBackend`` is the other backend the library ships.
"""

from ._limits import InProcessLimiterBackend, Limiter, LimiterBackend, OrgLimiter, Slot

__all__ = ["InProcessLimiterBackend", "Limiter", "LimiterBackend", "OrgLimiter", "Slot"]
