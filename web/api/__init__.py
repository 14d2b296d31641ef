"""Blueprints, one per resource; every path is written in full under /api/v1."""
