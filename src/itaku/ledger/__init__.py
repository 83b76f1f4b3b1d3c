"""The ledger (台帳): append-only, hash-chained events; see `services.record` and `services.verify_chain`."""
