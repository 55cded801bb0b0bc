"""Ingestion: read → normalise → metadata → sections → tables → facts → chunks → embed → store."""
