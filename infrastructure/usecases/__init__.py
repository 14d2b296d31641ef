"""The ledger's use cases, one module each; callers hold the facade in infrastructure.service."""
