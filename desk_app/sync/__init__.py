"""Sync with the district server: the outbox push, the commune change-feed pull."""
