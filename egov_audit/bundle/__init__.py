"""Result bundles: version 1 (one JSON document, v1.py), version 2 (one record a line, v2.py,
written by writer.py), and reading a file of either (files.py)."""

from .files import Opened, checked_v2, is_v2, open_bundle, read_result_set, v2_lines
from .v1 import (
    BUNDLE_SCHEMA,
    MAX_BUNDLE_FILE,
    SET_SCHEMA,
    BundleWriter,
    bundle_from_dict,
    bundle_to_dict,
    check_bundle_data,
    read_json,
    read_json_bytes,
    result_set_to_dict,
)
from .v2 import SCHEMA_V2, V2Stream, read_v2, record
from .writer import V2Writer, prepare_rows, write_bundle

__all__ = ["BUNDLE_SCHEMA", "MAX_BUNDLE_FILE", "SCHEMA_V2", "SET_SCHEMA", "BundleWriter",
           "Opened", "V2Stream", "V2Writer", "bundle_from_dict", "bundle_to_dict",
           "check_bundle_data", "checked_v2", "is_v2", "open_bundle", "prepare_rows",
           "read_json", "read_json_bytes", "read_result_set", "read_v2", "record",
           "result_set_to_dict", "v2_lines", "write_bundle"]
