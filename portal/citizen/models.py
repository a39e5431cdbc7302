"""The applicant's pages keep no tables of their own: anonymous submissions are counted by core.throttle."""
