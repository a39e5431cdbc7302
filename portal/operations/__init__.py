"""Setting up a deployment across apps: the catalogue with its letter templates, the demo data."""
