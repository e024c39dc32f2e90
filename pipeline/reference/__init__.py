"""The office's reference data (schemas/): units registry, indicator catalog, scoring rubric, deadlines."""
