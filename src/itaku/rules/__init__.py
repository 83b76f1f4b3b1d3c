"""Internal rules (article 5): each party's privacy rules (the contractor's and every subcontractor's),
submitted and resubmitted on change."""
