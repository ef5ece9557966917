"""The desk's shipped data (fonts, procedure catalogue, form templates, translations).

Installed as the package ``desk_app._resources`` so that ``importlib.resources`` finds it in
a wheel or a frozen build; read it through ``desk_app.paths.resource_path``.
"""
