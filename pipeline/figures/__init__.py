"""District figures from the units' accepted values, and the Phụ lục ranking of the units."""
