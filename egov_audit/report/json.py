"""The result bundle of one agency (version 2: one record a line, docs/bundle-format.md), or
the result set of several (a JSON document of version 1 bundles and the national results)."""

from __future__ import annotations

import io
import json

from ..bundle import result_set_to_dict, write_bundle
from ..models import ResultSet
from .interface import ReportOptions, reporter


class JsonReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        if len(result_set.bundles) == 1 and result_set.national is None:
            out = io.BytesIO()
            write_bundle(out, result_set.bundles[0])
            return out.getvalue().decode("utf-8")
        # machine-sized output (a national set): the C encoder only runs without indent
        data = result_set_to_dict(result_set)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


reporter("gaps", "json")(JsonReporter().render)
