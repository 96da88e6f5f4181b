"""National result storage: verified bundles in SQLite (default, nothing to install) or
PostgreSQL (a postgresql:// URL), with the same schema, created and migrated by the tool.
`base` is the one interface (and the SQL both speak), `sqlite` and `postgres` its two
implementations, `intake` how bundles come in, `opening` which one a URL names."""

from .base import MIGRATIONS, Stale, Store, StoreError, Submission
from .intake import Incoming, prepare, store_incoming, take_in
from .opening import open_store

__all__ = ["MIGRATIONS", "Incoming", "Stale", "Store", "StoreError", "Submission", "open_store",
           "prepare", "store_incoming", "take_in"]
