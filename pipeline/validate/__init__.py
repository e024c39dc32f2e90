"""Validating the values read: pandera domains, the office's rules between values, outliers."""
