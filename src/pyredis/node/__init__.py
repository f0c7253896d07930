"""The asyncio edge: listeners, client connections, the server cron, logs and fork children.

Only this package (and ``cli``) touches sockets, files, signals and the real clock.
"""
