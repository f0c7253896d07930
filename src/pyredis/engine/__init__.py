"""The keyspace: databases, values, expiry, watches and blocking-key registry. Pure data, no I/O."""
