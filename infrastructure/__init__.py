"""The ledger application, settings, PostgreSQL and SQLite views, the projection runner."""
