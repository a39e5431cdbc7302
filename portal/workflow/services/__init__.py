"""Writes of the workflow core, one module per concern; each public function is one command."""
