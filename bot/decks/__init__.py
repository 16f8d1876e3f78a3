"""Deck files: parsing, validation and importers (Brainscape, CSV/TSV)."""
