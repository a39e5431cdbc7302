"""The process designer's workspace: the services with their deployed versions (the modeler comes later)."""
