"""The desk's Qt user interface (imports ``desk_app``; ``desk_app`` never imports it)."""
