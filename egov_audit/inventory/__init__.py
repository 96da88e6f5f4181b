"""An agency's Ansible inventory directory: `load` (read and check it), `ansible_dir` (the
layout and Ansible's precedence), `model` (the typed plan)."""

from .load import Inventories, load_inventory
from .model import Inventory

__all__ = ["Inventories", "Inventory", "load_inventory"]
