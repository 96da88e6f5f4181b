"""JUnit XML for CI systems: one test suite per agency (plus `national`), one test case per
control × target (classname = agency.control, name = target: unique); a profile's results,
judged beside the baseline and not in its score, in a suite of their own (agency.profile,
property scored=false)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..gates.sanitize import xml_text as _xml_text
from ..models import Result, ResultSet, Status
from .common import label
from .interface import ReportOptions, reporter


def _suite(parent: ET.Element, name: str, results: Sequence[Result], lang: str,
           profile: str | None = None) -> None:
    failures = sum(1 for r in results if r.status is Status.FAIL)
    errors = sum(1 for r in results if r.status is Status.ERROR)
    skipped = sum(1 for r in results if r.status not in (Status.PASS, Status.FAIL, Status.ERROR))
    suite_name = name if profile is None else f"{name}.{profile}"
    suite = ET.SubElement(parent, "testsuite", name=_xml_text(suite_name),
                          tests=str(len(results)), failures=str(failures), errors=str(errors),
                          skipped=str(skipped))
    if profile is not None:  # said on the suite: a CI that reads failures can tell these apart
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="scored", value="false")
        ET.SubElement(properties, "property", name="note",
                      value=_xml_text(label("beside", lang)))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=_xml_text(f"{name}.{r.control}"),
                             name=_xml_text(r.target))
        body = "\n".join(filter(None, [
            r.message.get(lang),
            f"{label('observed', lang)}: {r.observed.get(lang)}" if r.observed else "",
            f"{label('expected', lang)}: {r.expected.get(lang)}" if r.expected else "",
            f"{label('clause', lang)}: {r.clause.get(lang)}" if r.clause else "",
            f"{label('where', lang)}: " + ", ".join(str(loc) for loc in r.locations)
            if r.locations else ""]))
        message = _xml_text(f"[{r.severity}] {r.message.get(lang)}")[:500]
        if r.status is Status.FAIL:
            ET.SubElement(case, "failure", message=message, type=r.severity.value).text = \
                _xml_text(body)
        elif r.status is Status.ERROR:
            ET.SubElement(case, "error", message=message).text = _xml_text(body)
        elif r.status is not Status.PASS:
            ET.SubElement(case, "skipped", message=_xml_text(f"{r.status}: "
                                                             f"{r.message.get(lang)}")[:500])


class JunitReporter:

    def render(self, result_set: ResultSet, options: ReportOptions) -> str:
        root = ET.Element("testsuites", name="egov-audit")
        for bundle in result_set.bundles:
            # the baseline's results, then each profile's judged beside it in a suite of its own
            by_profile: dict[str | None, list[Result]] = {}
            for r in bundle.results:
                by_profile.setdefault(bundle.profile_of(r), []).append(r)
            _suite(root, bundle.agency.code, by_profile.pop(None, []), options.lang)
            for profile, results in sorted(by_profile.items(), key=lambda item: str(item[0])):
                _suite(root, bundle.agency.code, results, options.lang, profile)
        if result_set.national is not None:
            _suite(root, "national", result_set.national.results, options.lang)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + \
            ET.tostring(root, encoding="unicode") + "\n"


reporter("gaps", "junit")(JunitReporter().render)
