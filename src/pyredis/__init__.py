"""pyredis: a Redis 7.0-compatible server written in Python.

The package is layered (see ARCHITECTURE.md): ``protocol`` and ``engine`` at the bottom, the
command table in ``commands``, the asyncio edge in ``node`` and the entry points in ``cli``.
"""

__version__ = "0.1.0"
REDIS_VERSION = "7.0.15"
