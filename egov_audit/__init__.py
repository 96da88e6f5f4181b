"""egov-audit: audit Vietnamese government agencies against network, server-room and security
reference models, and report the gaps with compliance scores."""

__all__ = ["__version__"]

try:  # written by the build from git tags (setuptools-scm); absent in a bare copy of the code
    from ._version import __version__
except ImportError:  # pragma: no cover - only without any install
    __version__ = "0.0.0+unknown"
