"""The egov-audit command line: `app` (the group, loading each command's module on demand, and
`main`), `base` and `options` (what commands are built from), `output` (reports and exit
codes), and one module per family of commands."""

from .app import cli, main

__all__ = ["cli", "main"]
