"""The claims ledger: the claims of the five articles the course judges, with its verdict.

``assets/claims.yaml`` is validated on load (JSON Schema + cross-checks: article labels,
reference keys and tiers, lessons, verbatim quotes). Everything below the loader is pure:
filters, scorecards and contradiction links that figures and widgets build on.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import jsonschema

from gutbrain.data import AssetError, load_references, load_yaml
from gutbrain.evidence import TIERS

#: The course's fixed verdict scale, from best- to worst-supported (plus "not verified").
VERDICTS = (
    "supported",
    "supported in animals only",
    "overstated",
    "unsupported",
    "contradicted by evidence",
    "no diagnostic validity",
    "marketing",
    "not verified",
)
TOPICS = ("serotonin", "vagus-ENS", "psychobiotics", "inflammation-kynurenine", "general")
#: Reading habits the scorecard counts.
FLAGS = {
    "mouse-to-human": "states for people what was shown in animals",
    "review-as-proof": "presents a review (or an unread citation) as proof",
    "commercial": "steers the reader to a product or test the publisher sells",
}
#: Verdicts that need no evidence keys (the explanation says why).
_NO_EVIDENCE_OK = {"unsupported", "no diagnostic validity", "marketing", "not verified"}
#: Verdicts that judge a claim against the literature: evidence keys, or a stated reason why none.
_NEEDS_EVIDENCE_OR_REASON = {"unsupported", "contradicted by evidence"}

_SLUG = "^[0-9]{2}_[a-z0-9_]+$"
CLAIMS_SCHEMA = {
    "type": "object",
    "required": ["claims", "contradictions"],
    "additionalProperties": False,
    "properties": {
        "claims": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "article", "topic", "quote", "verdict", "evidence", "explanation", "lesson"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-e]-[a-z0-9-]+$"},
                    "article": {"type": "string", "pattern": "^[A-Z]$"},
                    "topic": {"enum": list(TOPICS)},
                    "quote": {"type": "string", "minLength": 8, "maxLength": 400},
                    "verdict": {"enum": list(VERDICTS)},
                    "evidence": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "tier"],
                            "additionalProperties": False,
                            "properties": {
                                "key": {"type": "string", "minLength": 2},
                                "tier": {"enum": list(TIERS)},
                                "says": {"type": "string", "minLength": 3},
                            },
                        },
                    },
                    "explanation": {"type": "string", "minLength": 40},
                    "why_not_verified": {"type": "string", "minLength": 20},
                    "why_no_evidence": {"type": "string", "minLength": 20},
                    "lesson": {"type": "string", "pattern": _SLUG},
                    "section": {"type": "string", "minLength": 3},
                    "flags": {"type": "array", "uniqueItems": True, "items": {"enum": list(FLAGS)}},
                },
                "allOf": [
                    {"if": {"properties": {"verdict": {"const": "not verified"}}},
                     "then": {"required": ["why_not_verified"]}},
                ],
            },
        },
        "contradictions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "topic", "claims", "summary"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "topic": {"enum": list(TOPICS)},
                    "title": {"type": "string", "minLength": 3},
                    "claims": {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"type": "string"}},
                    "summary": {"type": "string", "minLength": 20},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Evidence:
    key: str
    tier: str
    says: str = ""


@dataclass(frozen=True)
class Claim:
    id: str
    article: str  # letter, e.g. "D"
    topic: str
    quote: str
    verdict: str
    evidence: tuple[Evidence, ...]
    explanation: str
    lesson: str
    section: str | None = None
    flags: tuple[str, ...] = ()
    why_not_verified: str | None = None

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.tier for e in self.evidence))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.evidence)


@dataclass(frozen=True)
class Contradiction:
    id: str
    topic: str
    claims: tuple[str, ...]
    summary: str
    title: str = ""


@dataclass(frozen=True)
class Ledger:
    claims: tuple[Claim, ...]
    contradictions: tuple[Contradiction, ...]
    articles: Mapping[str, Mapping[str, Any]]

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(f"no claim {claim_id!r} in assets/claims.yaml")

    def linked(self, claim_id: str) -> list[Claim]:
        """Claims in other articles that contradict this one."""
        ids: list[str] = []
        for group in self.contradictions:
            if claim_id in group.claims:
                ids += [c for c in group.claims if c != claim_id and c not in ids]
        return [self.claim(i) for i in ids]

    def label(self, letter: str) -> str:
        art = self.articles[letter]
        return f"{art['label']}, '{art['short_title']}'"


# --------------------------------------------------------------------------- validation
def normalise_text(text: str) -> str:
    """Whitespace collapsed (line breaks in the stored articles count as spaces)."""
    return " ".join(text.split())


def validate(data: Any, *, references: Mapping[str, Mapping[str, Any]], articles: Mapping[str, Any],
             lessons: Iterable[str] | None = None, article_texts: Mapping[str, str] | None = None,
             where: str = "assets/claims.yaml", normalise=None) -> list[str]:
    """Every problem with the ledger, as messages naming the claim; empty when valid."""
    problems = [f"{where}: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                for e in jsonschema.Draft202012Validator(CLAIMS_SCHEMA).iter_errors(data)]
    if problems:
        return problems
    ids = [c["id"] for c in data["claims"]]
    for dup in sorted(k for k, n in Counter(ids).items() if n > 1):
        problems.append(f"{where}: claim id {dup!r} is used twice")
    lesson_set = set(lessons) if lessons is not None else None
    for c in data["claims"]:
        cid = c["id"]
        if c["article"] not in articles:
            problems.append(f"{where}: claim {cid}: article {c['article']!r} is not in assets/articles.yaml")
        elif not cid.startswith(c["article"].lower() + "-"):
            problems.append(f"{where}: claim {cid}: id must start with '{c['article'].lower()}-'")
        if not c["evidence"] and c["verdict"] not in _NO_EVIDENCE_OK:
            problems.append(f"{where}: claim {cid}: verdict {c['verdict']!r} needs evidence keys")
        if not c["evidence"] and c["verdict"] in _NEEDS_EVIDENCE_OR_REASON and not c.get("why_no_evidence"):
            problems.append(f"{where}: claim {cid}: verdict {c['verdict']!r} needs evidence keys or "
                            "`why_no_evidence` (what was looked for and not found)")
        for ev in c["evidence"]:
            ref = references.get(ev["key"])
            if ref is None:
                problems.append(f"{where}: claim {cid}: reference key {ev['key']!r} is not in "
                                "assets/references.yaml")
            elif ref.get("evidence_tier") and ref["evidence_tier"] != ev["tier"]:
                problems.append(f"{where}: claim {cid}: {ev['key']} has tier {ev['tier']!r} here but "
                                f"{ref['evidence_tier']!r} in assets/references.yaml")
        if lesson_set is not None and c["lesson"] not in lesson_set:
            problems.append(f"{where}: claim {cid}: lesson {c['lesson']!r} does not exist in lessons/")
        if article_texts is not None and c["article"] in article_texts:
            if (normalise or normalise_text)(c["quote"]) not in article_texts[c["article"]]:
                problems.append(f"{where}: claim {cid}: quote is not verbatim in {c['article']!r}'s text: "
                                f"{c['quote'][:80]!r}")
    known = set(ids)
    for group in data["contradictions"]:
        missing = [i for i in group["claims"] if i not in known]
        if missing:
            problems.append(f"{where}: contradiction {group['id']}: unknown claim(s) {', '.join(missing)}")
            continue
        arts = {i.split("-", 1)[0] for i in group["claims"]}
        if len(arts) < 2:
            problems.append(f"{where}: contradiction {group['id']}: needs claims from at least two articles")
    return problems


def _build(data: Mapping[str, Any], articles: Mapping[str, Any]) -> Ledger:
    claims = tuple(
        Claim(id=c["id"], article=c["article"], topic=c["topic"], quote=c["quote"], verdict=c["verdict"],
              evidence=tuple(Evidence(e["key"], e["tier"], e.get("says", "")) for e in c["evidence"]),
              explanation=" ".join(c["explanation"].split()), lesson=c["lesson"], section=c.get("section"),
              flags=tuple(c.get("flags", ())), why_not_verified=c.get("why_not_verified"))
        for c in data["claims"])
    contradictions = tuple(
        Contradiction(id=g["id"], topic=g["topic"], claims=tuple(g["claims"]),
                      summary=" ".join(g["summary"].split()), title=g.get("title", g["id"]))
        for g in data["contradictions"])
    return Ledger(claims, contradictions, articles)


def load_articles() -> Mapping[str, Mapping[str, Any]]:
    data = load_yaml("articles.yaml")
    arts = (data or {}).get("articles") if isinstance(data, dict) else None
    if not isinstance(arts, dict) or not arts:
        raise AssetError("assets/articles.yaml must have an `articles:` mapping of letters to articles")
    for letter, art in arts.items():
        for field in ("label", "short_title", "publisher_kind", "steers_to_product", "commercial_ties"):
            if not isinstance(art, dict) or field not in art:
                raise AssetError(f"assets/articles.yaml: article {letter!r} lacks {field!r}")
    return arts


@lru_cache(maxsize=1)
def load_ledger() -> Ledger:
    """The validated ledger; AssetError listing every problem if it is malformed."""
    data = load_yaml("claims.yaml")
    articles = load_articles()
    problems = validate(data, references=load_references(), articles=articles)
    if problems:
        raise AssetError("assets/claims.yaml is invalid:\n" + "\n".join(problems[:20]))
    return _build(data, articles)


def article_texts(seeds_dir: Path, articles: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Maintainer check: the stored article copies, whitespace-normalised, by letter."""
    return {letter: normalise_text((seeds_dir / art["source_file"]).read_text(encoding="utf-8"))
            for letter, art in articles.items() if (seeds_dir / art.get("source_file", "")).is_file()}


# --------------------------------------------------------------------------- pure queries
def filter_claims(claims: Iterable[Claim], *, article: str | None = None, topic: str | None = None,
                  verdict: str | None = None, tier: str | None = None) -> list[Claim]:
    """Claims matching every filter given (None = any). ``tier`` matches any evidence tier."""
    out = []
    for c in claims:
        if article and c.article != article:
            continue
        if topic and c.topic != topic:
            continue
        if verdict and c.verdict != verdict:
            continue
        if tier and tier not in c.tiers:
            continue
        out.append(c)
    return out


def verdict_counts(claims: Iterable[Claim]) -> dict[str, int]:
    counts = Counter(c.verdict for c in claims)
    return {v: counts.get(v, 0) for v in VERDICTS}


@dataclass(frozen=True)
class Scorecard:
    article: str
    label: str
    claims: int
    by_verdict: Mapping[str, int]
    mouse_to_human: int
    review_as_proof: int
    commercial: int
    steers_to_product: bool
    cites_sources: bool

    @property
    def supported_share(self) -> float:
        return self.by_verdict.get("supported", 0) / self.claims if self.claims else 0.0


def scorecards(ledger: Ledger) -> list[Scorecard]:
    """One scorecard per article, in label order."""
    cards = []
    for letter in sorted(ledger.articles):
        mine = [c for c in ledger.claims if c.article == letter]
        art = ledger.articles[letter]
        cards.append(Scorecard(
            article=letter, label=art["label"], claims=len(mine), by_verdict=verdict_counts(mine),
            mouse_to_human=sum("mouse-to-human" in c.flags for c in mine),
            review_as_proof=sum("review-as-proof" in c.flags for c in mine),
            commercial=sum("commercial" in c.flags for c in mine),
            steers_to_product=bool(art.get("steers_to_product")), cites_sources=bool(art.get("cites_sources"))))
    return cards


_FRIENDLY = {v: v for v in VERDICTS}


def judge(claim: Claim, learner_verdict: str) -> tuple[bool, str]:
    """Compare a learner's verdict with the course's; (correct, feedback text)."""
    if learner_verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {learner_verdict!r}; choose one of {', '.join(VERDICTS)}")
    correct = learner_verdict == claim.verdict
    near = {frozenset({"supported in animals only", "overstated"}),
            frozenset({"unsupported", "contradicted by evidence"}),
            frozenset({"no diagnostic validity", "marketing"})}
    if correct:
        head = f"Yes: the course's verdict is '{claim.verdict}'."
    elif frozenset({learner_verdict, claim.verdict}) in near:
        head = f"Close: you said '{learner_verdict}', the course says '{claim.verdict}'."
    else:
        head = f"Not quite: you said '{learner_verdict}', the course says '{claim.verdict}'."
    return correct, f"{head} {claim.explanation}"


def lesson_link(claim: Claim) -> str:
    """Relative link (from lessons/) to the lesson that teaches the claim."""
    return f"{claim.lesson}.ipynb"


def evidence_words(claim: Claim) -> str:
    return "; ".join(f"[{e.key}] ({e.tier})" for e in claim.evidence) or "no study supports it"


def slug_title(slug: str) -> str:
    return re.sub(r"^\d\d_", "", slug).replace("_", " ").capitalize()
