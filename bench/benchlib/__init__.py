"""Shared pieces of mimeo's benchmark scripts (Python 3 standard library only)."""
