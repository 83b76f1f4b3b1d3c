"""The guarded vault (articles 6, 7, 9-13): the entrusted personal data, encrypted at rest."""
