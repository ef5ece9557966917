"""desk_app — the Qt-free core of the commune one-stop desk (Bộ phận Một cửa).

Domain rules, storage, documents, the sync client and the command line live here; the
Qt widgets live in the sibling package ``ui``, which imports this one and never the reverse.
"""

__version__ = "0.1.0"
