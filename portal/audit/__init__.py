"""The auditor's workspace: find a request and read its hash-chained event log (verification comes later)."""
