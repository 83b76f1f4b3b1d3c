"""Internal rules (article 5): the contractor's privacy rules, submitted and resubmitted on change."""
