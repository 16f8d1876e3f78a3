"""Flashdrop: a Discord bot that turns a study group's flashcards into a daily habit."""

__version__ = "0.1.0"
