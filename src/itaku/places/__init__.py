"""Work locations (article 15): where data is handled, reported before work starts."""
