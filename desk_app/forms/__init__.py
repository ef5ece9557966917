"""Printed forms: one renderer, one checked template format, shared blocks, a module per form.

``template`` reads and checks a form's TOML file, ``blocks`` holds the header, tables,
paragraphs, barcode and signatures every form is made of, ``render`` turns one copy's
layout into PDF bytes (page size and orientation, copies, footer, metadata), and each
``formNN`` module holds one form's data, schema and layout.

Adding a form takes a template in ``resources/templates/`` and a module that declares
its ``FormSchema`` (``page_keys(...)``, the ``*_KEYS`` of the blocks it uses, and its own
keys) and lays out one copy from the blocks; ``tests/unit/forms/test_second_form.py``
shows one on A4 landscape.
"""
