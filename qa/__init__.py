"""Answering: understand the question, retrieve, answer, verify, audit, export (see ARCHITECTURE.md)."""

__version__ = "0.1.0"
