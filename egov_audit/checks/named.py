"""The registry of named checks: importing this module registers every one of them."""

from __future__ import annotations

from . import (  # noqa: F401  (imported for their registrations)
    devices,
    facility,
    ip_plan,
    network_plan,
    portal_mail,
    portal_tls,
    portal_tls_options,
    portal_web,
    portals,
    registry,
    rpki,
    zones,
)
from .context import NAMED_CHECKS, NamedCheck

__all__ = ["NAMED_CHECKS", "NamedCheck"]
