"""The result bundle (one agency) or result set (several), as published JSON."""

from __future__ import annotations

import json

from ..bundle import result_set_to_dict
from ..models import ResultSet
from .interface import ReportOptions, register


class JsonReporter:
    name = "json"
    suffix = ".json"

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        return json.dumps(result_set_to_dict(result_set), ensure_ascii=False, indent=2) + "\n"


register(JsonReporter())
