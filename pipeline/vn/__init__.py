"""Vietnamese text helpers: Unicode normalisation and folding, number typing, period codes, legacy font encodings."""
