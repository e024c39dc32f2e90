"""tonghop library: pure functions over files and DataFrames (read, normalise, map, validate, load, consolidate, rank, write)."""
