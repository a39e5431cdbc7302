"""Tracking has no tables of its own: tries are counted by core.throttle (Attempt rows)."""
