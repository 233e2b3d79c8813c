"""Shelfmark: library services platform for a provincial library network."""

__version__ = "0.1.0"
