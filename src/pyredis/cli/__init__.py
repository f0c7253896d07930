"""Entry points: pyredis-server, pyredis-sentinel and ``pyredis up``."""
