"""Counting queries: aggregates, coverage, co-occurrence and word frequency."""
