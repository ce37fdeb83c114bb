"""The interactive dashboard (Mesa SolaraViz)."""
