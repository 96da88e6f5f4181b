"""Rendering: the registry of everything rendered (interface.py) and one module per subject and
format. Kept empty so that reading the registry imports no renderer."""
