"""egov-audit: audit Vietnamese government agencies against network, server-room and security
reference models, and report the gaps with compliance scores."""

__version__ = "0.1.0"
