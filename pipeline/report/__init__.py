"""Everything tonghop writes for people: the district workbook, feedback workbooks, run summaries."""
