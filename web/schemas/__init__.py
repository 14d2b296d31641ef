"""Marshmallow schemas of the API, input and output kept apart, one module per resource."""
