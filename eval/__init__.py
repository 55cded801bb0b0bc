"""Evaluation: datasets (eval/datasets/*.jsonl), scorers, the runner behind `qa eval`, reports with charts."""
