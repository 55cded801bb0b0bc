"""Ingestion: read → normalise → metadata → sections → tables → facts → chunks → embed → store."""

import qa  # noqa: F401  (sets the offline environment before any model library is imported)
