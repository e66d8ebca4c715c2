"""Fixloop's entry points and wiring: settings, the composition root, the server, the CLI."""
