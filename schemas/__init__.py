"""pandera schemas and the reference data the district office edits (indicators, units, rules)."""
