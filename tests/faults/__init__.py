"""Processes killed on purpose while nominations are in flight."""
