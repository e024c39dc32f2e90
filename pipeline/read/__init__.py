"""Reading one workbook into a Submission: safety pre-checks, cells, tables, identity, mapping, values."""
