"""Error bases shared by the core, importable without pulling in the database layer."""


class DeskOperationalError(RuntimeError):
    """Something the operator must fix (not a bug): a command ends with status 1 and this line."""
