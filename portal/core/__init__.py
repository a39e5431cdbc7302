"""What every app of the portal shares: errors, API base classes, admin base, HTTP helpers, throttle, storage."""
