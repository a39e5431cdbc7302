"""Process analytics: the requests' event log exported for process mining (XES and CSV)."""
