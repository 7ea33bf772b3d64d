"""Engines turn images into what the library stores (regions, reference vectors, verdicts)."""
