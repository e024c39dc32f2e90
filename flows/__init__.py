"""Prefect flows and the command line: thin edges that only orchestrate pipeline calls."""
