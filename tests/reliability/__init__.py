"""Reliability suite: hostile input, failing backends, concurrency, kills. Every module is marked `reliability`."""
