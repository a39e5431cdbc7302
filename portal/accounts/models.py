"""Accounts are Django's users; roles are groups named by role code (enums.RoleCode). No models of its own."""
