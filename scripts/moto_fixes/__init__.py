"""Fixes to moto for scripts/apply-moto; see scripts/moto-server.py."""
