"""Seeing what the crew does: metrics, traces, notifications and the run report."""
