"""Boligsag: case tracking for the frontline staff of Danish boligsociale indsatser."""

__version__ = "0.1.0"
