"""The REST API of requests, their steps and their event log (pages and APIs layer, above the records)."""
