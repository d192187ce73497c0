"""The demo: staff accounts, one per role, and two years of invented records (DEBUG only)."""
