"""Printed forms: one renderer, one checked template format, shared blocks, a module per form.

``template`` reads and checks a form's TOML file, ``blocks`` holds the header, tables,
barcode and signatures every form is made of, ``render`` turns a form's story into PDF
bytes, and each ``formNN`` module holds one form's data, schema and layout.
"""
