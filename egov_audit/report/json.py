"""The result bundle (one agency) or result set (several), as published JSON."""

from __future__ import annotations

import json

from ..bundle import result_set_to_dict
from ..models import ResultSet
from .interface import ReportOptions, reporter

COMPACT_ABOVE = 20_000  # results


class JsonReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        data = result_set_to_dict(result_set)
        if len(result_set.bundles) > 1 or len(result_set.all_results()) > COMPACT_ABOVE:
            # machine-sized output (a national set, thousands of hosts): the C encoder only
            # runs without indent (3x faster); an agency's usual bundle stays readable
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


reporter("gaps", "json")(JsonReporter().render)
