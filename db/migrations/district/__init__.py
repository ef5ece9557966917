"""The district database's Alembic scripts, installed as ``district_server._migrations``."""
