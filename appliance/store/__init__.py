"""Durable storage: the call log (tinydb, atomic writes, day partitions) and recordings."""
