"""Flask app factory, blueprints, schemas, auth, error mapping and the command line."""
