"""What every reader and writer of host evidence agrees on: the `schema` a host's fact bundle
carries and how large one may be. Kept apart so that naming them loads nothing else."""

from __future__ import annotations

FACT_BUNDLE_SCHEMA = "egov-audit/fact-bundle@1"
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
