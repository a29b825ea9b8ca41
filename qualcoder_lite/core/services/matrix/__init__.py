"""The framework matrix: rows, theme columns and cell summaries."""
