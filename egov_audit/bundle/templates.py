"""Message templates of version 2 bundles: a result's message with its observed and expected
values, its target and its standing numbers as placeholders, so that hosts sharing a
configuration share one template. A template is kept only if it renders back exactly."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Text

# -- message templates --------------------------------------------------------------------------
# {o} the observed value, {e} the expected one, {t} the target, {0}.. the row's arguments (in
# the language's text), {{ and }} a brace
_PLACE = re.compile(r"\{\{|\}\}|\{([oet]|[0-9]{1,3})\}")
# a number standing alone (not part of a name, an address or a version): a row argument, so
# that "3 accounts" and "5 accounts" share a template
_NUMBER = re.compile(r"(?<![\w.:/{}\-])[0-9]+(?:\.[0-9]+)?(?![\w.:/{}\-])")
SHORTEST_VALUE = 3  # a shorter observed value or target is left in the text: "0" is everywhere


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def render(template: str, observed: str, expected: str, target: str,
           args: Sequence[str]) -> str:
    """A template's text for one row (IndexError: an argument the row does not have)."""
    if "{" not in template and "}" not in template:
        return template

    def one(match: re.Match[str]) -> str:
        whole, name = match.group(0), match.group(1)
        if name is None:
            return whole[0]
        if name == "o":
            return observed
        if name == "e":
            return expected
        if name == "t":
            return target
        return args[int(name)]

    return _PLACE.sub(one, template)


def arguments_of(template: str) -> int:
    """How many arguments a template's rows must give (its highest {n}, plus one)."""
    return max((int(m.group(1)) + 1 for m in _PLACE.finditer(template)
                if m.group(1) is not None and m.group(1).isdigit()), default=0)


def well_formed(template: str) -> bool:
    """Every brace is part of a placeholder or an escaped brace."""
    rest = _PLACE.sub("", template)
    return "{" not in rest and "}" not in rest


def _derive(message: str, values: Sequence[tuple[str, str]], args: list[str]) -> str:
    parts: list[str | tuple[str]] = [_escape(message)]
    for name, value in values:
        escaped = _escape(value)
        split: list[str | tuple[str]] = []
        for part in parts:
            if isinstance(part, tuple) or escaped not in part:
                split.append(part)
                continue
            for index, piece in enumerate(part.split(escaped)):
                if index:
                    split.append((name,))
                if piece:
                    split.append(piece)
        parts = split
    out: list[str] = []

    def number(match: re.Match[str]) -> str:
        args.append(match.group(0))
        return f"{{{len(args) - 1}}}"

    for part in parts:
        out.append(part[0] if isinstance(part, tuple) else _NUMBER.sub(number, part))
    return "".join(out)


def template_of(message: Text, observed: Text, expected: Text, target: str
                ) -> tuple[Text, list[str]]:
    """A result's message as a template and its arguments: the observed and expected values
    and the target become placeholders, standing numbers arguments. Checked by rendering it
    back; a message that does not render exactly is kept whole (never a different text)."""
    args: list[str] = []
    templates = []
    for lang in ("vi", "en"):
        values = [(name, value) for name, value in
                  (("{o}", observed.get(lang)), ("{e}", expected.get(lang)), ("{t}", target))
                  if len(value) >= SHORTEST_VALUE]
        values.sort(key=lambda pair: -len(pair[1]))
        templates.append(_derive(message.get(lang), values, args))
    made = Text(templates[0], templates[1])
    for lang in ("vi", "en"):
        if render(made.get(lang), observed.get(lang), expected.get(lang), target,
                  args) != message.get(lang):
            return Text(_escape(message.vi), _escape(message.en)), []
    return made, args
