"""People (articles 2 and 4): the structure of responsible person and workers, pledges, and the eligibility gate."""
