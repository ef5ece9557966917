"""The desk database's Alembic scripts, installed as the package ``desk_app._migrations``."""
