"""An agency's Ansible inventory directory: `load` (read and check it), `ansible_dir` (the
layout and Ansible's precedence), `model` (the typed plan)."""

from .load import load_inventory
from .model import Inventory

__all__ = ["Inventory", "load_inventory"]
