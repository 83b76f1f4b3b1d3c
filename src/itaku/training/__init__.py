"""Training (article 3): courses, completions and their validity."""
