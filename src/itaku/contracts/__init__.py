"""Contracts (article 1): the parties, the period, the provisions annexed and the laws that apply."""
