"""Storage: the SQLite desk database, its models and its migrations."""
