"""Load and validate question banks; every error names the file and the question id."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping

import jsonschema

from gutbrain.data import AssetError, load_references, load_yaml
from gutbrain.selfcheck.schema import BANK_SCHEMA, QUESTION_SCHEMA

_QUESTION_VALIDATOR = jsonschema.Draft202012Validator(QUESTION_SCHEMA)


@dataclass(frozen=True)
class Question:
    """One self-check question, as validated from its bank. ``spec`` is the raw mapping."""

    lesson: str
    id: str
    type: str
    prompt: str
    hint: str
    explanation: str
    spec: Mapping[str, Any]

    @property
    def key(self) -> str:
        """Unique across the course: ``<lesson>/<id>``."""
        return f"{self.lesson}/{self.id}"

    @property
    def options(self) -> list[Mapping[str, Any]]:
        return list(self.spec.get("options", []))

    @property
    def in_review(self) -> bool:
        """False when the bank marks the question ``review: false`` (it needs its lesson's demo)."""
        return bool(self.spec.get("review", True))

    @property
    def demo(self) -> str | None:
        """What to reopen before answering in review (Markdown, may hold a link), or None."""
        return self.spec.get("demo")

    @property
    def misconception_tags(self) -> set[str]:
        tags = {o["misconception"] for o in self.options if "misconception" in o}
        tags |= {w["misconception"] for w in self.spec.get("wrong_answers", [])}
        if "default_misconception" in self.spec:
            tags.add(self.spec["default_misconception"])
        return tags


@lru_cache(maxsize=1)
def load_misconceptions() -> Mapping[str, str]:
    """Misconception tag -> one-sentence description (assets/misconceptions.yaml)."""
    data = load_yaml("misconceptions.yaml")
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in data.items()
    ):
        raise AssetError("assets/misconceptions.yaml must map each tag to a description")
    return MappingProxyType(data)


def _semantic_errors(q: Mapping[str, Any], misconceptions, references) -> list[str]:
    errors = []
    if q["type"] in ("single_choice", "multiple_choice"):
        opts = q["options"]
        ids = [o["id"] for o in opts]
        if len(set(ids)) != len(ids):
            errors.append("option ids must be unique")
        n_correct = sum(bool(o.get("correct")) for o in opts)
        if q["type"] == "single_choice" and n_correct != 1:
            errors.append(f"a single_choice question needs exactly one correct option, has {n_correct}")
        if q["type"] == "multiple_choice" and n_correct < 1:
            errors.append("a multiple_choice question needs at least one correct option")
        for o in opts:
            if not o.get("correct") and "misconception" not in o:
                errors.append(f"wrong option {o['id']!r} must be tagged with a misconception")
    else:
        if "default_misconception" not in q:
            errors.append("needs a default_misconception for wrong answers not listed")
    tags = {o.get("misconception") for o in q.get("options", [])}
    tags |= {w["misconception"] for w in q.get("wrong_answers", [])}
    tags.add(q.get("default_misconception"))
    for tag in sorted(t for t in tags if t):
        if tag not in misconceptions:
            errors.append(f"misconception {tag!r} is not defined in assets/misconceptions.yaml")
    for ref in q.get("references", []):
        if ref not in references:
            errors.append(f"reference {ref!r} is not in assets/references.yaml")
    return errors


@lru_cache(maxsize=None)
def load_bank(lesson: str) -> Mapping[str, Question]:
    """Questions of one lesson (assets/questions/<lesson>.yaml), by id, in file order."""
    where = f"assets/questions/{lesson}.yaml"
    data = load_yaml(f"questions/{lesson}.yaml")
    problems = sorted(jsonschema.Draft202012Validator(BANK_SCHEMA).iter_errors(data), key=str)
    if problems:
        raise AssetError(f"{where}: {problems[0].message}")
    if data["lesson"] != lesson:
        raise AssetError(f"{where}: says lesson {data['lesson']!r}, expected {lesson!r}")
    misconceptions = load_misconceptions()
    references = load_references()
    bank: dict[str, Question] = {}
    for index, raw in enumerate(data["questions"]):
        qid = raw.get("id", f"#{index + 1}")
        errors = [
            f"{'/'.join(str(p) for p in e.absolute_path) or 'question'}: {e.message}"
            for e in _QUESTION_VALIDATOR.iter_errors(raw)
        ]
        if not errors:
            errors = _semantic_errors(raw, misconceptions, references)
        if qid in bank:
            errors.append("duplicate question id")
        if errors:
            raise AssetError(f"{where}, question {qid!r}: " + "; ".join(errors))
        bank[qid] = Question(
            lesson=lesson, id=qid, type=raw["type"], prompt=raw["prompt"], hint=raw["hint"],
            explanation=raw["explanation"], spec=MappingProxyType(dict(raw)),
        )
    return MappingProxyType(bank)


def question(lesson: str, qid: str) -> Question:
    bank = load_bank(lesson)
    if qid not in bank:
        raise KeyError(f"no question {qid!r} in assets/questions/{lesson}.yaml; ids: {', '.join(bank)}")
    return bank[qid]
