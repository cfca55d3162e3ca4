"""Turn a learner's raw answer into feedback. Pure: no widgets, no I/O.

Input a learner types is never trusted: empty, non-numeric, NaN, infinite, huge, over-long
or unusual unicode input comes back as ``status="invalid"`` with a message saying what to
type instead, and is not counted as a wrong answer.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from gutbrain.selfcheck.bank import Question

MAX_INPUT_CHARS = 200
#: Numbers beyond this magnitude are refused as typos rather than graded.
MAX_NUMERIC_MAGNITUDE = 1e12


@dataclass(frozen=True)
class Feedback:
    status: str  # "correct" | "incorrect" | "invalid"
    message: str
    misconception: str | None = None
    #: The normalised answer that was graded (None when invalid).
    answer: object = None

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def counts_as_attempt(self) -> bool:
        return self.status != "invalid"


def _invalid(message: str) -> Feedback:
    return Feedback("invalid", message)


def normalise_text(text: str) -> str:
    """Case-, width- and space-insensitive form used to compare short answers."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("‐", "-").replace("‑", "-").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip(" .")


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$")


def parse_number(raw: str, unit: str) -> tuple[float | None, str | None]:
    """(value, None) or (None, message). Accepts '12', '12.5', '1e3', '12 µM', '−3', '0,5'."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.replace("−", "-").replace(" ", " ")
    unit_norm = unicodedata.normalize("NFKC", unit).strip()
    if unit_norm and text.casefold().endswith(unit_norm.casefold()):
        text = text[: -len(unit_norm)].strip()
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
    lowered = text.casefold()
    if lowered in {"nan", "+nan", "-nan"}:
        return None, "That is 'not a number' (NaN). Type a number such as 12.5."
    if lowered.lstrip("+-") in {"inf", "infinity", "∞"}:
        return None, "Infinity is not an answer here. Type a finite number such as 12.5."
    if not _NUMBER.match(lowered):
        hint = f" in {unit}" if unit else ""
        return None, f"“{raw.strip()[:40]}” is not a number. Type just the number{hint}, e.g. 12.5."
    value = float(lowered)
    if not math.isfinite(value) or abs(value) > MAX_NUMERIC_MAGNITUDE:
        return None, f"{raw.strip()[:40]} is far too large to be the answer. Check the number of digits."
    return value, None


def _check_choice(q: Question, answer) -> Feedback:
    options = {o["id"]: o for o in q.options}
    if q.type == "single_choice":
        if answer is None or answer == "" or answer == ():
            return _invalid("Choose one option, then press Check.")
        if answer not in options:
            return _invalid(f"{answer!r} is not one of the options ({', '.join(options)}).")
        chosen = options[answer]
        if chosen.get("correct"):
            return Feedback("correct", chosen["feedback"], answer=answer)
        return Feedback("incorrect", chosen["feedback"], chosen["misconception"], answer=answer)
    # multiple choice: a set of option ids
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return _invalid("Tick every option you think is right, then press Check.")
    chosen_ids = set(answer)
    if not chosen_ids:
        return _invalid("Tick at least one option, then press Check.")
    unknown = chosen_ids - set(options)
    if unknown:
        return _invalid(f"Unknown option(s): {', '.join(sorted(map(str, unknown)))}.")
    correct_ids = {i for i, o in options.items() if o.get("correct")}
    if chosen_ids == correct_ids:
        return Feedback("correct", " ".join(options[i]["feedback"] for i in sorted(correct_ids)),
                        answer=frozenset(chosen_ids))
    wrong_picked = sorted(chosen_ids - correct_ids)
    missed = sorted(correct_ids - chosen_ids)
    notes = [options[i]["feedback"] for i in wrong_picked]
    if missed:
        notes.append(f"You left out {len(missed)} right option(s).")
    tag = options[wrong_picked[0]]["misconception"] if wrong_picked else None
    return Feedback("incorrect", " ".join(notes), tag, answer=frozenset(chosen_ids))


def _check_numeric(q: Question, raw) -> Feedback:
    spec = q.spec
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = repr(float(raw))
    if not isinstance(raw, str) or not raw.strip():
        return _invalid(f"Type a number{(' in ' + spec['unit']) if spec['unit'] else ''}, then press Check.")
    if len(raw) > MAX_INPUT_CHARS:
        return _invalid(f"That is {len(raw)} characters long; a number is a few digits.")
    value, problem = parse_number(raw, spec["unit"])
    if problem:
        return _invalid(problem)
    if abs(value - spec["answer"]) <= spec["tolerance"]:
        return Feedback("correct", spec.get("correct_feedback", "Correct."), answer=value)
    for wrong in spec.get("wrong_answers", []):
        if abs(value - wrong["value"]) <= wrong.get("tolerance", spec["tolerance"]):
            return Feedback("incorrect", wrong["feedback"], wrong["misconception"], answer=value)
    direction = "high" if value > spec["answer"] else "low"
    return Feedback("incorrect", f"Not quite: {value:g} is too {direction}.",
                    spec["default_misconception"], answer=value)


def _check_text(q: Question, raw) -> Feedback:
    spec = q.spec
    if not isinstance(raw, str) or not raw.strip():
        return _invalid("Type a short answer (a word or two), then press Check.")
    if len(raw) > MAX_INPUT_CHARS:
        return _invalid(f"That is {len(raw)} characters long; a word or two is enough.")
    given = normalise_text(raw)
    if given in {normalise_text(a) for a in spec["accepted"]}:
        return Feedback("correct", spec.get("correct_feedback", "Correct."), answer=given)
    for wrong in spec.get("wrong_answers", []):
        if given == normalise_text(wrong["text"]):
            return Feedback("incorrect", wrong["feedback"], wrong["misconception"], answer=given)
    return Feedback("incorrect", "Not the answer we are looking for; try the hint.",
                    spec["default_misconception"], answer=given)


def check_answer(q: Question, answer) -> Feedback:
    """Grade one answer. Choice: option id (single) or iterable of ids (multiple);
    numeric and short text: the string the learner typed."""
    if q.type in ("single_choice", "multiple_choice"):
        return _check_choice(q, answer)
    if q.type == "numeric":
        return _check_numeric(q, answer)
    return _check_text(q, answer)
