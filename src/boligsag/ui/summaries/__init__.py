"""The Opgørelser screen's parts: filter bar, key-figure tiles, tables, charts,
drill-down and export. The page itself is ``ui/pages/summaries.py``."""
