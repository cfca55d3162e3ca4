"""The facts registry: every number the course states from a source, with where it was read.

``assets/facts/<scope>.yaml`` (scope: a lesson stem, ``ledger``, ``quizzes`` or ``readme``) is a
YAML list of facts; docs/evidence.md describes the format. This module loads and validates the
files and answers one question for the checker (gutbrain.evidence): does a number stated next
to some reference keys match a registered fact? Everything below the loader is pure.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import jsonschema
import yaml

from gutbrain.data import parse_yaml

LESSON_SCOPES = (
    "00_start_here", "01_serotonin_synthesis", "02_vagus_nerve", "03_psychobiotics",
    "04_inflammation_kynurenine", "05_reading_health_articles",
)
SCOPES = LESSON_SCOPES + ("ledger", "quizzes", "readme")

_NUMBER = {"type": "number"}
FACT_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "value", "unit", "ref", "where", "quote"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.\\-]*$"},
            "value": {"oneOf": [_NUMBER, {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2}]},
            "unit": {"type": "string"},
            "ref": {"type": "string", "minLength": 2},
            "where": {"type": "string", "minLength": 3},
            "quote": {"type": "string", "minLength": 3},
        },
    },
}


@dataclass(frozen=True)
class Fact:
    id: str
    value: tuple[float, ...]  # one number, or (low, high)
    unit: str
    ref: str
    where: str
    quote: str
    scope: str

    def matches(self, number: float) -> bool:
        """The stated number is this fact's value (or a bound of its range), as written or rounded."""
        return any(_same(number, v) for v in self.value)


def _same(stated: float, registered: float) -> bool:
    stated, registered = abs(stated), abs(registered)
    if stated == registered:
        return True
    # "19" for 18.8 or "1.02" for 1.0226 is the same fact rounded; "72" for 27 is not.
    text = repr(stated).rstrip("0").rstrip(".") if "." in repr(stated) else repr(stated)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return round(registered, decimals) == stated


# Digits as sources print them: 1,000 / 13 541 (thin or plain space) / .251 / 12·0 (a middle dot as the
# decimal point) / 2-3 x 10(-3) or 3.8×10^13 (scientific notation, applied to a range's both ends).
# (The lookahead skips the empty match every other position gave: the same numbers, 12x faster.)
_QUOTE_NUMBER = re.compile(r"(?<![\d.])(?=[.·]?\d)(?:\d{1,3}(?:[,\u2009\u202f ]\d{3})+(?![\d])|\d+)?(?:[.·]\d+)?")
_SCIENTIFIC = re.compile(r"(\d+(?:[.·]\d+)?)(?:\s*[-–]\s*(\d+(?:[.·]\d+)?))?\s*[x×]\s*10\s*(?:\^|\()?\s*([-−]?\d+)\)?")
_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


def _to_float(token: str) -> float:
    return float(re.sub(r"[,\u2009\u202f ]", "", token).replace("·", "."))


def numbers_in(text: str) -> list[float]:
    """Every number a quote states: digits in the notations sources use, scientific notation, and the
    numbers zero to twenty written in words ("six further rats")."""
    text = text.replace("\u2212", "-")
    out = [_to_float(m.group(0)) for m in _QUOTE_NUMBER.finditer(text) if re.search(r"\d", m.group(0))]
    for m in _SCIENTIFIC.finditer(text):
        scale = 10.0 ** int(m.group(3).replace("−", "-"))
        out += [_to_float(g) * scale for g in (m.group(1), m.group(2)) if g]
    out += [float(_WORD_NUMBERS[w.lower()]) for w in re.findall(r"[A-Za-z]+", text) if w.lower() in _WORD_NUMBERS]
    return out


def parse_number(text: str) -> float | None:
    try:
        return float(re.sub(r"[,\u2009\u202f ]", "", text).replace("\u2212", "-"))
    except ValueError:
        return None


def validate_facts(data: Any, *, scope: str, references: Mapping[str, Any], where: str) -> list[str]:
    """Problems with one facts file, as messages naming the fact; empty when valid."""
    if scope not in SCOPES:
        return [f"{where}: {scope!r} is not a scope; name the file after one of: {', '.join(SCOPES)}"]
    if data is None:
        return []
    problems = [f"{where}: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                for e in jsonschema.Draft202012Validator(FACT_SCHEMA).iter_errors(data)]
    if problems:
        return problems
    for item in data:
        problems += _item_problems(item, references, where)
    return problems


def _item_problems(item: Mapping[str, Any], references: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    fid = item["id"]
    if item["ref"] not in references:
        problems.append(f"{where}: fact {fid}: ref {item['ref']!r} is not a key of assets/references.yaml")
    values = item["value"] if isinstance(item["value"], list) else [item["value"]]
    if len(values) == 2 and values[0] > values[1]:
        problems.append(f"{where}: fact {fid}: range {values} must be [low, high]")
    in_quote = numbers_in(item["quote"])
    for v in values:
        if not any(_same(v, q) or math.isclose(abs(v), abs(q), rel_tol=1e-9) for q in in_quote):
            problems.append(f"{where}: fact {fid}: value {v:g} does not appear in its quote "
                            f"{item['quote'][:80]!r} (quote the words that contain the number)")
    return problems


def _to_facts(data: Iterable[Mapping[str, Any]], scope: str) -> list[Fact]:
    out = []
    for item in data:
        values = item["value"] if isinstance(item["value"], list) else [item["value"]]
        out.append(Fact(id=item["id"], value=tuple(float(v) for v in values), unit=item["unit"], ref=item["ref"],
                        where=item["where"], quote=" ".join(item["quote"].split()), scope=scope))
    return out


@dataclass(frozen=True)
class Registry:
    facts: tuple[Fact, ...]
    scopes: frozenset[str]  # scopes that have a facts file (their numbers are checked)
    problems: tuple[str, ...]

    def match(self, number: float, keys: Iterable[str]) -> Fact | None:
        """A registered fact with this value from one of these references, or None."""
        keys = set(keys)
        for fact in self.facts:
            if fact.ref in keys and fact.matches(number):
                return fact
        return None

    def by_ref(self, key: str) -> list[Fact]:
        return [f for f in self.facts if f.ref == key]


def load_registry(facts_dir: Path, references: Mapping[str, Any]) -> Registry:
    """All facts files in ``facts_dir``; problems (schema, unknown refs, duplicate ids, values not in
    their quotes) are returned, not raised, so the checker reports them with everything else."""
    facts: list[Fact] = []
    problems: list[str] = []
    scopes: set[str] = set()
    for path in sorted(facts_dir.glob("*.yaml")) if facts_dir.is_dir() else []:
        where = f"assets/facts/{path.name}"
        try:
            data = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            problems.append(f"{where}: cannot read it as YAML ({err})")
            continue
        found = validate_facts(data, scope=path.stem, references=references, where=where)
        problems += found
        if path.stem in SCOPES:
            scopes.add(path.stem)
        schema_ok = path.stem in SCOPES and not any(": fact " not in p for p in found)
        if schema_ok and data:
            # A fact with a problem is reported and left out; the file's other facts still count.
            facts += _to_facts([item for item in data if not _item_problems(item, references, where)], path.stem)
    for dup, n in Counter(f.id for f in facts).items():
        if n > 1:
            where = ", ".join(sorted({f.scope for f in facts if f.id == dup}))
            problems.append(f"assets/facts: fact id {dup!r} is used {n} times ({where}); ids are unique "
                            "across all files")
    return Registry(tuple(facts), frozenset(scopes), tuple(problems))


def scope_of(relative_path: str) -> str | None:
    """The registry scope that covers a course file (None: no sourced numbers expected)."""
    path = Path(relative_path)
    if path.name == "claims.yaml":
        return "ledger"
    if path.name == "README.md":
        return "readme"
    if "quizzes" in path.parts:
        return "quizzes"
    if path.stem in LESSON_SCOPES:
        return path.stem
    return None
