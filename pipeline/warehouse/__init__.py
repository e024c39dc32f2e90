"""The DuckDB warehouse: the only package that touches DuckDB (schema, loading, queries, lock, backups, export)."""
