"""The course's evidence standard as code: read lessons, question banks and data, return findings.

Conventions enforced (docs: /work/coord/TEAM.md "Evidence conventions", LESSON-STYLE.md):

* ``unresolved-key``   a citation key (`` `[key]` ``, a bank's ``references:``, a CSV ``source``,
  ``show_references([...])``) that is not in ``assets/references.yaml``.
* ``missing-tier``     a citation not followed, in the same sentence, by ``*(tier; detail)*`` where
  tier is one of :data:`TIERS`.
* ``tier-mismatch``    the stated tier(s) include none of the cited references' ``evidence_tier``.
* ``unsourced-number`` a sentence states a number with neither a citation, nor a marker
  (``*(computed here)*``, ``*(model…)*``, ``*(unverified)*``), nor being inside a quote attributed
  to an article label ("Article D says '…'").
* ``uncited-reference`` a reference in references.yaml cited nowhere in the course.
* ``data-source`` / ``data-where`` / ``data-tier`` a CSV row in assets/data/ lacking a source
  (the file must have a ``source`` column), a ``where`` (if the file has that column), or with a
  tier that disagrees with references.yaml.
* ``seed-name``        "seed 00N" or a seed file name anywhere learners read.
* ``unknown-article``  an "Article X" label that assets/articles.yaml does not define.

Everything here is pure: functions take text/parsed data and return findings and coverage.
``python -m gutbrain.evidence [paths...]`` prints both and exits 1 when there are findings.
"""
from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from gutbrain.data import parse_yaml
from gutbrain.facts import Registry, load_registry, parse_number, scope_of

TIERS = (
    "in vitro", "animal", "human observational", "human uncontrolled trial", "human non-randomised trial", "human RCT",
    "meta-analysis", "review", "model",
    "news report",  # journalism about research (e.g. expressions of concern): not itself evidence
)
_TIERS_LOWER = {t.lower(): t for t in TIERS}
#: Italic markers that source a number without a citation.
SOURCE_MARKERS = ("computed here", "model", "unverified")

RULES = {
    "unresolved-key": "citation key not in assets/references.yaml",
    "missing-tier": "citation without an evidence tier *(tier; detail)* in the same sentence",
    "tier-mismatch": "stated tier does not match the reference's evidence_tier in references.yaml",
    "unsourced-number": "number with no citation, *(computed here)*/*(model)*/*(unverified)* marker "
                        "or article quote in the same sentence",
    "uncited-reference": "reference in references.yaml cited nowhere in the course",
    "duplicate-reference": "a key defined twice in references.yaml (YAML keeps only the last one)",
    "data-source": "data row without a source citation key",
    "data-where": "data row without `where` (table/figure/page of the source)",
    "data-tier": "data row's evidence tier disagrees with references.yaml",
    "seed-name": "articles must be named by their label (Article A–E), never 'seed 00N' or a file name",
    "unknown-article": "article label not defined in assets/articles.yaml",
    "unsourced-number-words": "a number written in words with no citation or marker",
    "tier-partly-wrong": "a tier of a multi-tier label is not the tier of any cited reference (nor its other_tiers)",
    "unregistered-number": "a number next to a citation matches no fact (value and reference) in assets/facts/",
    "facts-invalid": "a facts file breaks the registry format (docs/evidence.md)",
    "computed-unresolved": "*(computed here: module.function)* names code that does not exist",
    "quote-not-verbatim": "a quote attributed to an article (Article A–E) is not in that article",
    "articles-missing": "the stored articles are missing, so quotes cannot be checked (fails in CI)",
    "unknown-source": "an author–year mention names no reference in assets/references.yaml",
    "verdict-mismatch": "a text quotes a ledger claim and states a verdict the ledger does not hold",
    "ledger-invalid": "the claims ledger fails its validation (schema, tiers, evidence, verbatim quotes)",
}


#: Rules of substance a scope opts into by having its facts file (assets/facts/<scope>.yaml): until
#: then their findings there are reported as pending, not failing.
PHASED_RULES = frozenset(("unregistered-number", "unsourced-number-words", "tier-partly-wrong", "unknown-source",
                          "quote-not-verbatim", "verdict-mismatch"))


@dataclass(frozen=True)
class Finding:
    file: str
    cell: int | str | None  # notebook cell index, bank question id, CSV line number
    text: str
    rule: str
    detail: str = ""

    def __str__(self) -> str:
        where = f" cell {self.cell}" if isinstance(self.cell, int) else (f" [{self.cell}]" if self.cell else "")
        extra = f" — {self.detail}" if self.detail else ""
        return f"{self.file}{where}: {self.rule}: {_shorten(self.text)}{extra}"


@dataclass
class Coverage:
    sentences: int = 0          # prose sentences (headings, questions, instructions excluded)
    cited_sentences: int = 0    # ... that carry at least one citation
    citations: int = 0          # citation groups `[k1, k2]`
    tiered_citations: int = 0   # ... followed by a tier in the same sentence
    numbers: int = 0            # numbers stated in prose
    sourced_numbers: int = 0    # ... with a citation, marker or article quote
    unverified_numbers: int = 0  # ... sourced only by *(unverified)*

    def add(self, other: "Coverage") -> "Coverage":
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @staticmethod
    def _pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "n/a"

    def summary(self) -> str:
        return (f"sentences with citation {self._pct(self.cited_sentences, self.sentences)} "
                f"({self.cited_sentences}/{self.sentences}); citations with tier "
                f"{self._pct(self.tiered_citations, self.citations)} ({self.tiered_citations}/{self.citations}); "
                f"numbers sourced {self._pct(self.sourced_numbers, self.numbers)} "
                f"({self.sourced_numbers}/{self.numbers}, {self.unverified_numbers} marked unverified)")


@dataclass
class Context:
    """What the checks resolve against: reference key -> evidence tier, and article letters."""

    references: Mapping[str, str | None]
    articles: frozenset[str]
    cited: set[str] = field(default_factory=set)  # filled while checking; for uncited-reference
    #: The facts registry (None: numbers next to citations are not matched against facts).
    registry: "Registry | None" = None
    #: Whitespace-normalised article texts by letter (None: the articles folder is missing).
    article_texts: Mapping[str, str] | None = None
    #: (first author's surname, year) of every reference, lower-case, for author–year mentions.
    authors: frozenset[tuple[str, str]] | None = None
    #: Ledger claims as (normalised quote, verdict), for texts that state a claim's verdict.
    ledger_verdicts: tuple[tuple[str, str], ...] = ()
    #: Tiers of parts of a study besides its main tier (references.yaml ``other_tiers``).
    other_tiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _read_yaml(path: Path) -> Any:
    from gutbrain.data import AssetError

    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise AssetError(f"{path}: cannot read it ({err})") from None
    except yaml.YAMLError as err:
        raise AssetError(f"{path} is not valid YAML: {err}") from None


def seeds_dir(root: Path) -> Path:
    """Where the stored copies of the five articles are: $GUTBRAIN_SEEDS, else ../shared/seeds."""
    return Path(os.environ.get("GUTBRAIN_SEEDS", root.parent / "shared" / "seeds"))


def normalise_quote(text: str) -> str:
    """Whitespace collapsed, typographic quotes and dashes made plain, lower-case: how quotes are compared."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u2212": "-"})
    return " ".join(text.translate(table).split()).lower()


def surnames(authors: str) -> list[str]:
    """'Walther DJ, Peter JU' -> ['walther', 'peter']; 'Badawy AA-B' -> ['badawy']."""
    out = []
    for head in str(authors).split(","):
        words = head.strip().split()
        while len(words) > 1 and re.fullmatch(r"[A-Z][A-Z\-]{0,5}|I{1,3}|Jr|et|al\.?", words[-1]):
            words = words[:-1]
        if words and words[0][:1].isupper():
            out.append(" ".join(words).lower())
    return out


def first_author(authors: str) -> str:
    names = surnames(authors)
    return names[0] if names else ""


def load_article_texts(root: Path, articles: Mapping[str, Any]) -> dict[str, str] | None:
    folder = seeds_dir(root)
    if not folder.is_dir():
        return None
    texts = {}
    for letter, art in articles.items():
        path = folder / str((art or {}).get("source_file", ""))
        if path.is_file():
            # Its titles are its words too (tables name an article by its short title).
            titles = " | ".join(str((art or {}).get(k, "")) for k in ("title", "short_title"))
            texts[str(letter)] = normalise_quote(path.read_text(encoding="utf-8") + " | " + titles)
    return texts or None


def load_context(assets: Path, root: Path | None = None) -> Context:
    refs = _read_yaml(assets / "references.yaml") or {}
    arts = _read_yaml(assets / "articles.yaml") or {}
    articles = arts.get("articles") or {}
    letters = frozenset(str(k) for k in articles)
    registry = load_registry(assets / "facts", refs)
    authors = set()
    for key, v in refs.items():
        year = str((v or {}).get("year", ""))
        authors |= {(name, year) for name in surnames((v or {}).get("authors", ""))}
        m = re.match(r"([a-z]+)(\d{4})", str(key))
        if m:
            authors.add((m.group(1), m.group(2)))
    tiers = {k: (v or {}).get("evidence_tier") for k, v in refs.items()}
    other_tiers = {k: tuple((v or {}).get("other_tiers") or ()) for k, v in refs.items()}
    claims_path = assets / "claims.yaml"
    verdicts: tuple[tuple[str, str], ...] = ()
    if claims_path.is_file():
        claims = (_read_yaml(claims_path) or {}).get("claims") or []
        verdicts = tuple((normalise_quote(c.get("quote", "")), c.get("verdict", "")) for c in claims
                         if isinstance(c, Mapping))
    return Context(references=tiers, articles=letters, registry=registry,
                   article_texts=load_article_texts(root or assets.parent, articles),
                   authors=frozenset(authors), ledger_verdicts=verdicts, other_tiers=other_tiers)


def _shorten(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------- markdown → sentences
_FENCE = re.compile(r"```.*?```|~~~.*?~~~", re.S)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BR = re.compile(r"<br\s*/?>", re.I)


@dataclass(frozen=True)
class Unit:
    """A block of learner-facing text: a paragraph, list item, table row or heading."""

    text: str
    kind: str  # "para" | "item" | "row" | "heading"


def markdown_units(markdown: str) -> list[Unit]:
    text = _FENCE.sub("\n", markdown)
    units: list[Unit] = []
    current: list[str] = []
    kind = "para"

    def flush():
        nonlocal current
        if current:
            joined = " ".join(s.strip() for s in current).strip()
            for piece in _BR.split(joined):
                if piece.strip():
                    units.append(Unit(piece.strip(), kind))
        current = []

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        if not stripped:
            flush()
            continue
        if _HEADING.match(line):
            flush()
            units.append(Unit(stripped.lstrip("#").strip(), "heading"))
            continue
        if stripped.startswith("|"):
            flush()
            if not _TABLE_SEP.match(stripped):
                kind = "row"
                current = [stripped.strip("|")]
                flush()
            continue
        if _LIST_ITEM.match(line):
            flush()
            kind = "item"
            current = [_LIST_ITEM.sub("", line, count=1)]
            continue
        if not current:
            kind = "para"
        current.append(stripped)
    flush()
    return units


# Quoted spans: "…", “…”, ‘…’ and '…' (a straight single quote counts as an apostrophe when a
# letter follows it).
_QUOTE = re.compile(r"\"[^\"\n]*\"|“[^”]*”|‘[^’]*’|(?<![\w'])'(?:[^'\n]|'(?=[A-Za-z]))*'(?![A-Za-z])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|et al|vs|Fig|Figs|cf|approx|ca|Dr|St|No|resp|Eq|Ref|Suppl)\.$")
_SENT_END = re.compile(r"(?<=[.!?])[*_)\]]*\s+(?=[*_\"“‘'(\[`]*[A-Z0-9])")


def _mask(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: "\0" * len(m.group(0)), text)


def split_sentences(text: str) -> list[str]:
    """Sentences of one unit. Quotes, code spans and italic markers are never split."""
    masked = _mask(text, _CODE_SPAN)
    masked = _mask(masked, _MARKER)
    masked = _mask(masked, _QUOTE)
    sentences, start = [], 0
    for m in _SENT_END.finditer(masked):
        head = masked[start:m.start()].rstrip("*_)]")
        if _ABBREV.search(head):
            continue
        sentences.append(text[start:m.start()].strip())
        start = m.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


# --------------------------------------------------------------------------- citations and markers
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_KEY = r"[A-Za-z][\w\-]*\d{2,4}[a-z]?|[A-Za-z][\w\-]*"
_CITATION = re.compile(r"`\[\s*((?:" + _KEY + r")(?:\s*[,;]\s*(?:" + _KEY + r"))*)\s*\]`")
# A bare [key2015] (forgotten backticks) is still a citation: its key must resolve.
_BARE_CITATION = re.compile(r"(?<![`\]\w!])\[\s*([a-z][a-z_\-]*\d{4}[a-z]?(?:\s*,\s*[a-z][a-z_\-]*\d{4}[a-z]?)*)\s*\](?![(`])")
_MARKER = re.compile(r"(?<!\*)\*\(([^*]+?)\)\*(?!\*)|(?<!_)_\(([^_]+?)\)_(?!_)")
_SHOW_REFS = re.compile(r"show_references\(\s*\[([^\]]*)\]")


def parse_tiers(marker: str) -> list[str] | None:
    """Tiers named at the start of a marker's text (before ';'), or None if it names no tier."""
    head = marker.split(";", 1)[0].strip()
    parts = [p.strip() for p in re.split(r"\s*(?:/|\+|,|·|\band\b)\s*", head) if p.strip()]
    tiers = []
    for p in parts:
        tier = _TIERS_LOWER.get(p.lower())
        if tier is None:
            return None
        tiers.append(tier)
    return tiers or None


def _is_source_marker(marker: str) -> bool:
    head = marker.split(";", 1)[0].strip().lower()
    return any(head == m or head.startswith((m + " ", m + ",", m + ":")) for m in SOURCE_MARKERS)


@dataclass
class SentenceCheck:
    findings: list[tuple[str, str, str]]  # (rule, text, detail)
    coverage: Coverage
    cited_keys: set[str]


_SEP_BETWEEN_CITATIONS = re.compile(r"^[\s,;]*(?:and|&)?[\s,;]*$")


def check_sentence(sentence: str, ctx: Context, *, assertive: bool = True,
                   sourced_elsewhere: bool = False, sourced_by: Sequence[str] = ()) -> SentenceCheck:
    """Apply the citation, tier, number, quote and source rules to one sentence.

    ``assertive`` False (headings, questions, instructions) skips the number rule.
    ``sourced_by`` (a bank question's ``references:``, a ledger claim's evidence keys) cites the
    sentence's numbers; ``sourced_elsewhere`` True is the same without naming the keys.
    """
    findings: list[tuple[str, str, str]] = []
    cov = Coverage()
    cited: set[str] = set()
    sourced_elsewhere = sourced_elsewhere or bool(sourced_by)

    cites = list(_CITATION.finditer(sentence))
    markers = list(_MARKER.finditer(sentence))
    for m in _BARE_CITATION.finditer(_mask(sentence, _CODE_SPAN)):
        for key in re.split(r"\s*,\s*", m.group(1)):
            cited.add(key)
            if key not in ctx.references:
                findings.append(("unresolved-key", sentence, f"[{key}] (also put citations in backticks: `[{key}]`)"))

    # Group adjacent citations (`[a]`, `[b]` *(review)*): one tier marker may follow the group.
    groups: list[list[re.Match]] = []
    for m in cites:
        if groups and _SEP_BETWEEN_CITATIONS.match(sentence[groups[-1][-1].end():m.start()]):
            groups[-1].append(m)
        else:
            groups.append([m])
    for gi, group in enumerate(groups):
        keys = [k for m in group for k in re.split(r"\s*[,;]\s*", m.group(1).strip())]
        for key in keys:
            cited.add(key)
            if key not in ctx.references:
                findings.append(("unresolved-key", sentence, f"[{key}]"))
        end = groups[gi + 1][0].start() if gi + 1 < len(groups) else len(sentence)
        after = [mk for mk in markers if group[-1].end() <= mk.start() < end]
        tiers = None
        for mk in after:
            tiers = parse_tiers(mk.group(1) or mk.group(2))
            if tiers:
                # Numbers in the label's detail ("meta-analysis; 30 studies") are the cited source's too.
                detail = (mk.group(1) or mk.group(2)).split(";", 1)[1:]
                if detail and ctx.registry is not None:
                    for number in find_numbers(detail[0], ctx):
                        value = number_value(number)
                        if value is not None and ctx.registry.match(value, keys) is None:
                            findings.append(("unregistered-number", sentence,
                                             f"{number!r} in the label matches no fact in assets/facts/ from "
                                             + ", ".join(sorted(keys))))
                break
        cov.citations += len(group)
        if tiers is None:
            findings.append(("missing-tier", sentence, ", ".join(keys)))
            continue
        cov.tiered_citations += len(group)
        known = {ctx.references.get(k) for k in keys if ctx.references.get(k)}
        if known and not known & set(tiers):
            findings.append(("tier-mismatch", sentence,
                             f"says {' / '.join(tiers)}; references.yaml: "
                             + ", ".join(f"{k}={ctx.references.get(k)}" for k in keys)))
            continue
        # Every tier of a multi-tier label must be the tier of one of the cited references.
        allowed = known | {t for k in keys for t in ctx.other_tiers.get(k, ())}
        wrong = [t for t in tiers if known and t not in allowed]
        if wrong:
            findings.append(("tier-partly-wrong", sentence,
                             f"says {' / '.join(tiers)} ({', '.join(wrong)} matches no cited reference); "
                             "references.yaml: " + ", ".join(f"{k}={ctx.references.get(k)}" for k in keys)))

    is_prose = assertive
    if is_prose:
        cov.sentences += 1
        cov.cited_sentences += bool(cites) or sourced_elsewhere

    findings += check_quotes(sentence, ctx)
    findings += check_author_year(sentence, ctx)
    findings += check_stated_verdicts(sentence, ctx)
    if assertive:
        numbers = find_numbers(sentence, ctx)
        words = [w for w, _ in find_number_words(sentence)]
        marker_texts = [(mk.group(1) or mk.group(2)) for mk in markers]
        has_marker = any(_is_source_marker(t) for t in marker_texts)
        for t in marker_texts:
            problem = check_computed_marker(t)
            if problem:
                findings.append(("computed-unresolved", sentence, problem))
        only_unverified = has_marker and all(
            t.split(";")[0].strip().lower().startswith("unverified") for t in marker_texts if _is_source_marker(t))
        keys = cited | set(sourced_by)
        for number in numbers + words:
            cov.numbers += 1
            if cites or has_marker or sourced_elsewhere:
                cov.sourced_numbers += 1
                if only_unverified and not cites and not sourced_elsewhere:
                    cov.unverified_numbers += 1
                if has_marker or ctx.registry is None or not keys:
                    continue
                value = number_value(number)
                if value is not None and ctx.registry.match(value, keys) is None:
                    findings.append(("unregistered-number", sentence,
                                     f"{number!r} matches no fact in assets/facts/ from {', '.join(sorted(keys))}"))
            else:
                rule = "unsourced-number" if number in numbers else "unsourced-number-words"
                findings.append((rule, sentence, f"number {number!r}"))
    return SentenceCheck(findings, cov, cited)


# --------------------------------------------------------------------------- numbers in words
_UNIT_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS_WORDS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 1, "billion": 1, "trillion": 1}
_W_UNIT = "|".join(sorted(_UNIT_WORDS, key=len, reverse=True))
_W_TENS = "|".join(_TENS_WORDS)
_W_NUM = rf"(?:(?:{_W_TENS})(?:[\s\-‐](?:{_W_UNIT}))?|{_W_UNIT})"
_NUMBER_WORDS = re.compile(
    rf"\b(?P<n>{_W_NUM})(?:\s+(?P<scale>hundred|thousand))?"
    rf"(?P<tail>\s*(?:per\s?cent\b|percent\b|%|[\-‐]?fold\b|times\b|million\b|billion\b|trillion\b)"
    rf"|\s+(?:out\s+)?of\s+(?:{_W_NUM}|\d+)\b|\s+in\s+(?:{_W_NUM}|\d+)\b)?", re.I)


def _word_value(words: str) -> int:
    total = 0
    for w in re.split(r"[\s\-‐]+", words.lower()):
        total += _UNIT_WORDS.get(w, 0) + _TENS_WORDS.get(w, 0)
    return total


def find_number_words(sentence: str) -> list[tuple[str, int]]:
    """Quantities written in words: 'seventy-two percent', 'four of five', 'thirty studies', 'ten-fold'.

    A lone small word ('one strain', 'two tiers') is language, not a stated number; tens words
    (twenty … ninety) always count, units words count with a percent, fold, scale or 'of/in N'.
    Returns (words, value) pairs; 'four of five' gives both numbers.
    """
    text = _CODE_SPAN.sub(" ", sentence)
    text = _MARKER.sub(" ", text)
    if _ARTICLE_REF.search(text):
        text = _QUOTE.sub(" ", text)
    out = []
    for m in _NUMBER_WORDS.finditer(text):
        n = m.group("n")
        value = _word_value(n)
        tail = m.group("tail") or ""
        if m.group("scale"):
            value *= 100 if m.group("scale").lower() == "hundred" else 1000
        is_tens = n.split()[0].split("-")[0].lower() in _TENS_WORDS
        if not (is_tens or tail or m.group("scale")):
            continue
        if tail.strip().lower().startswith(("of", "out", "in")) and n.lower() == "one" \
                and re.search(r"\b(?:of|in)\s+(?:one|a)\b", tail, re.I):
            continue
        out.append((m.group(0).strip(), value))
        other = re.search(rf"(?:of|in)\s+({_W_NUM}|\d+)\b", tail, re.I)
        if other:
            token = other.group(1)
            out.append((token, int(token) if token.isdigit() else _word_value(token)))
    return out


def number_value(number: str) -> float | None:
    """The value of a number as found in a sentence (digits, or words from find_number_words)."""
    value = parse_number(number)
    if value is not None:
        return value
    words = re.sub(r"(?i)\s*(?:per\s?cent|percent|%|[\-‐]?fold|times|million|billion|trillion)\b.*$", "", number)
    words = re.sub(r"(?i)\s+(?:out\s+)?(?:of|in)\s+.*$", "", words)
    scale = re.search(r"(?i)\s+(hundred|thousand)$", words)
    base = _word_value(re.sub(r"(?i)\s+(hundred|thousand)$", "", words))
    if scale:
        base *= 100 if scale.group(1).lower() == "hundred" else 1000
    return float(base) if base else None


# --------------------------------------------------------------------------- substance: quotes, sources, verdicts
_COMPUTED_REF = re.compile(r"^computed here\s*[:;]\s*([A-Za-z_][\w.]*\.[A-Za-z_]\w*)\s*$", re.I)


def check_computed_marker(marker: str) -> str | None:
    """``*(computed here: gutbrain.models.x.func)*`` must name code that exists; None when fine."""
    m = _COMPUTED_REF.match(marker.strip())
    if not m:
        return None
    dotted = m.group(1)
    module, _, name = dotted.rpartition(".")
    try:
        obj = importlib.import_module(module)
    except ImportError:
        return f"{dotted}: module {module!r} cannot be imported"
    if not hasattr(obj, name):
        return f"{dotted}: {module} has no {name!r}"
    return None


_VERDICT_WORDS = frozenset(normalise_quote(v) for v in (
    "supported", "supported in animals only", "overstated", "unsupported", "contradicted by evidence",
    "no diagnostic validity", "marketing", "not verified"))


def _quoted_spans(sentence: str) -> list[str]:
    return [m.group(0)[1:-1] for m in _QUOTE.finditer(_mask(sentence, _CODE_SPAN))]


def _letters(group: str) -> set[str]:
    letters = set(re.findall(r"[A-Z]", group))
    for a, b in re.findall(r"([A-Z])\s*[–-]\s*([A-Z])", group):
        letters |= {chr(c) for c in range(ord(a), ord(b) + 1)}
    return letters


def check_quotes(sentence: str, ctx: Context) -> list[tuple[str, str, str]]:
    """A quote attributed to an article (the nearest article label before it in the sentence) must be
    verbatim in that article; ``…``/``...`` and ``[...]`` split a quote into pieces checked one by one."""
    if ctx.article_texts is None or not _ARTICLE_REF.search(sentence):
        return []
    masked = _mask(sentence, _CODE_SPAN)
    labels = list(_ARTICLE_REF.finditer(masked))
    out = []
    for q in _QUOTE.finditer(masked):
        before = [m for m in labels if m.end() <= q.start()]
        if not before:
            continue
        letters = _letters(before[-1].group(1))
        texts = [ctx.article_texts[x] for x in sorted(letters) if x in ctx.article_texts]
        if not texts:
            continue
        span = q.group(0)[1:-1]
        for piece in re.split(r"…|\.\.\.|\[[^\]]*\]", span):
            plain = normalise_quote(piece.replace("*", "").replace("_", " ")).strip(" ,;:.")
            if not plain or plain in _VERDICT_WORDS:
                continue
            if len(plain.split()) < 3 and not re.search(r"\d", plain):
                continue
            if not any(plain in t for t in texts):
                out.append(("quote-not-verbatim", sentence,
                            f"{piece.strip()[:70]!r} is not in Article {'/'.join(sorted(letters))}"))
    return out


_MONTHS = "january february march april may june july august september october november december"
_NOT_AUTHORS = frozenset(("article", "articles", "lesson", "quiz", "table", "figure", "fig", "in", "since", "until",
                          "by", "from", "the", "of", "after", "before", "published", "and", "or", "to", "updated",
                          "a", "an", "python", "version", "step", "section", "part", "chapter", "item", "question",
                          "summer", "winter", "spring", "autumn", "fall", "about", "around", "early", "late", "mid",
                          "model", "pmid", "doi", "biomodels", "copyright", "cited", "reviewed", "dated", "than",
                          "circa", "year", "issue", "october", "who", "for", "at", "on", "with", "as")
                         + tuple(_MONTHS.split()) + tuple(m[:3] for m in _MONTHS.split()))
_AUTHOR_YEAR = re.compile(
    r"\b(?P<name>[A-Z][A-Za-zÀ-ÿ'’\-]+(?:\s+[A-Z][A-Za-zÀ-ÿ'’\-]+)?)"
    r"(?P<rest>\s+et\s+al\.?|\s*(?:&|and)\s*[A-Z][A-Za-zÀ-ÿ'’\-]+)?,?\s*\(?(?P<year>(?:19|20)\d\d)[a-z]?\b")


def _fold(name: str) -> str:
    import unicodedata
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


def check_author_year(sentence: str, ctx: Context) -> list[tuple[str, str, str]]:
    """An author–year mention ('Smith et al. 2019', 'Gershon & Tack (2007)') names a known reference."""
    if ctx.authors is None:
        return []
    text = _CODE_SPAN.sub(" ", sentence)
    text = re.sub(r"https?://\S+|\]\([^)]*\)", " ", text)
    out = []
    for m in _AUTHOR_YEAR.finditer(text):
        words = m.group("name").split()
        year = m.group("year")
        # "In Smith 2019" / "Kelly 2017": try the two-word name, then the last word alone.
        candidates = [" ".join(words).lower(), words[-1].lower()]
        if words[-1].lower() in _NOT_AUTHORS:
            continue
        if not m.group("rest") and len(words) == 1 and words[0].lower() in _NOT_AUTHORS:
            continue
        names = [c.replace("’", "'") for c in candidates]
        known = {(a.replace("’", "'"), y) for a, y in ctx.authors}
        if any((c, year) in known or (_fold(c), year) in known for c in names):
            continue
        if any(_fold(a.split()[-1]) == _fold(c.split()[-1]) and y == year for a, y in known if a for c in names):
            continue
        out.append(("unknown-source", sentence,
                    f"{m.group(0).strip()!r}: no reference by {words[-1]} ({year}) in assets/references.yaml"))
    return out


_STATED_VERDICT = re.compile(r"\*([^*()]+)\*|“([^”]+)”|\"([^\"]+)\"|‘([^’]+)’|'([^'\n]+)'")


def check_stated_verdicts(sentence: str, ctx: Context) -> list[tuple[str, str, str]]:
    """A sentence that quotes a ledger claim and states verdicts must include the ledger's verdict."""
    if not ctx.ledger_verdicts:
        return []
    spans = [next(g for g in m.groups() if g) for m in _STATED_VERDICT.finditer(sentence)]
    stated = {normalise_quote(s) for s in spans} & _VERDICT_WORDS
    if not stated:
        return []
    out = []
    for span in spans:
        plain = normalise_quote(span).strip(" ,;:.")
        if len(plain.split()) < 4:
            continue
        for quote, verdict in ctx.ledger_verdicts:
            if plain in quote and normalise_quote(verdict) not in stated:
                out.append(("verdict-mismatch", sentence,
                            f"the ledger's verdict on {span[:50]!r} is {verdict!r}, not {' / '.join(sorted(stated))}"))
                break
    return out


# --------------------------------------------------------------------------- numbers
_UNITS = (r"%|‰|[×x](?!\w)|-?fold\b|mg|µg|ug|ng|pg|g|kg|mL|ml|µL|ul|L|l|mmol|µmol|nmol|mM|µM|uM|nM|pM|M|"
          r"ms|s|sec|min|h|hr|hrs|d|wk|y|yr|yrs|kcal|cal|CFU|cfu|bn|°C|cm|mm|µm|nm|m|km|Hz|kDa|Da")
_CHEM_LOCANT = re.compile(r"-(?:hydroxy|dihydroxy|dioxygenase|monooxygenase|methyl|methoxy|amino|oxo|keto|"
                          r"indol|deoxy|phospho|nitro|chloro|fluoro|bromo|hydroxylase|carboxy)", re.I)
# "13 541" (a space or thin space between thousands, as journals print them) is one number.
_NUMBER = re.compile(r"(?<![\w.,\-\u2010-\u2015/])(\d{1,3}(?:[\u2009\u202f ]\d{3})+(?![\d.,])|\d+(?:[.,]\d+)*)")
_NON_QUANTITY = [
    re.compile(r"\b(?:lessons?|quiz(?:zes)?|sections?|steps?|figures?|fig\.?|figs\.?|tables?|parts?|questions?|"
               r"chapters?|items?|cells?|exercises?|rounds?|options?|modules?|panels?|think!?|tasks?|issues?|"
               r"python|version|page|p\.|pp\.|eq\.|equation|level)\s+\d+[A-Za-z]?"
               r"(?:\s*(?:[–\-]|and|,|&|or|to)\s*\d+[A-Za-z]?)*", re.I),
    re.compile(r"\b(?:PMID|PMCID|PMC|DOI|doi|BTO|GO|CHEBI|KEGG|MODEL|BIOMD)\s*:?\s*[\w./\-]*\d[\w./\-]*"),
    re.compile(r"\b10\.\d{4,}/\S+"),
    re.compile(r"https?://\S+"),
    re.compile(r"\b[A-Za-z]+:\d+"),
    # Strain designations: "B. longum 1714", "L. rhamnosus JB-1".
    re.compile(r"\b[A-Z]\.\s?[a-z]+\s+(?:[A-Z]{1,4}-?)?\d+\b"),
    # The level of a confidence interval is a convention, not a finding: "95% CI", "95% confidence".
    re.compile(r"\b(?:90|95|99)\s?%\s*(?:CI|CrI|confidence|credible|prediction)\b"),
    # Numbered genes and receptors: "tryptophan hydroxylase 1", "receptor 4".
    re.compile(r"(?i)\b(?:hydroxylase|dioxygenase|receptor|transporter|isoform|type)\s+\d\b"),
    # Arithmetic the learner is asked to do, and unit definitions: "(× 1000)", "then × 100", "1 mM = 1000 µM",
    # and the identity setting "1×" of a multiplier control.
    re.compile(r"(?:\(\s*|\bthen\s+)[×x]\s*\d+(?:[.,]\d+)?\s*\)?"),
    re.compile(r"\b1\s*[a-zA-Zµ]{1,4}\s*=\s*[\d,]+\s*[a-zA-Zµ]{1,4}\b"),
    re.compile(r"(?<![\d.,])1\s?×"),
    # Author–year: "Yano 2015", "Clarke et al. 2013", "Gershon & Tack (2007", "Mawe and Hoffman 2013"
    re.compile(r"\b[A-Z][A-Za-zÀ-ÿ'’\-]+(?:\s+et\s+al\.?|\s*(?:&|and)\s*[A-Z][A-Za-zÀ-ÿ'’\-]+)?,?\s*\(?"
               r"(?:19|20)\d\d[a-z]?\b"),
    # Durations of course activities: "about 75 minutes" to learn, "Quiz 1 (about 25 minutes)".
    re.compile(r"(?i)\b(?:about|around|roughly|takes|~)?\s*\d+(?:\s*[–\-]\s*\d+)?\s*(?:minutes|mins?)\b"),
]
# Multiplier settings of the course's model controls ("set IDO1 to × 100", "IDO1 goes from × 1 to × 30
# (TDO2 × 1)", "at IDO1 × 100 the liver model …") are settings, not findings. Only a "× N" bound to the
# name of a multiplier slider (the enzyme-amount sliders of gutbrain.widgets.tryptophan/kynurenine), and
# only in a sentence that speaks of the model, explorer, slider or lab: a fold change measured in people
# ("IFN-α raised IDO1 × 3 in patients") is still a number that needs its fact.
MULTIPLIER_CONTROLS = ("TPH1", "TPH2", "TDO2", "IDO1", "DDC", "MAO")
_MODEL_CONTEXT = re.compile(r"(?i)\b(?:model|explorer|slider|simulation|lab)s?\b")
_MULTIPLIER = r"[×x]\s*\d+(?:[.,]\d+)?"
_CONTROL_SETTING = re.compile(
    r"\b(?:" + "|".join(MULTIPLIER_CONTROLS) + r")\b(?:\s+(?:amount|slider))?"
    r"(?:\s+(?:is|was|goes|went|stays|stayed|set|left|kept|moved|raised|lowered))?(?:\s+(?:at|to|from|of))?\s*"
    + _MULTIPLIER + r"(?:\s*(?:to|–|-|and|or)\s*" + _MULTIPLIER + r")*")
# Sentences that instruct the learner what to do with a control, or give the givens of an exercise
# ("Assume a path of 0.6 m"): numbers there are settings or suppositions, not claims.
_INSTRUCTION = re.compile(
    r"^[*_\s]*(?:\d+[.)]\s*)?(?:(?:now|then|next|first|also|and|finally|again),?\s+)?(?:set|move|drag|choose|pick|select|raise|lower|turn|click|try|put|switch|slide|"
    r"leave|keep|assume|suppose|imagine|"
    r"change|increase|decrease|reset|run|open|reopen|hover|press|type|enter|compare|drop|tick|untick|use|divide|multiply|"
    r"filter)\b", re.I)
_TIME_CONTEXT = re.compile(r"(?i)\b(?:learn|quiz|lesson|takes|time to|to read|section)\b")


def find_numbers(sentence: str, ctx: Context | None = None) -> list[str]:
    """Numbers a sentence states as quantities, after removing what is not a quantity.

    Removed: code spans, citations, italic markers, HTML tags, links to notebooks and URLs,
    quotes attributed to an article label, identifiers (5-HT, 5-HIAA, TPH1, IL-6, CO2, IDO1, 5-HT3),
    chemical locants (2,3-dioxygenase, 3-hydroxykynurenine), lesson/quiz/section/figure numbers,
    author–year mentions and plain years, PMIDs/DOIs/URLs, durations of course activities.
    """
    text = _CODE_SPAN.sub(" ", sentence)
    text = _MARKER.sub(" ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"!?\[([^\]]*)\]\(([^)]*)\)",
                  lambda m: " " if m.group(2).split("#")[0].endswith(".ipynb") else m.group(1), text)
    if _ARTICLE_REF.search(text):
        text = _QUOTE.sub(" ", text)
    if _MODEL_CONTEXT.search(text):
        text = _CONTROL_SETTING.sub(" ", text)
    for pattern in _NON_QUANTITY[:-1]:
        text = pattern.sub(" ", text)
    text = _SEED.sub(" ", text)
    if _TIME_CONTEXT.search(sentence):
        text = _NON_QUANTITY[-1].sub(" ", text)
    text = text.replace("**", " ").replace("__", " ")
    found = []
    for m in _NUMBER.finditer(text):
        start, end = m.span(1)
        before = text[max(0, start - 2):start]
        after = text[end:end + 12]
        if len(before) == 2 and before[1] in "-‐" and before[0].isalpha():
            continue  # IL-6, MAO-1
        if start and text[start - 1].isalpha():
            continue  # TPH1, CO2 (guarded by the lookbehind too)
        if re.match(r"[-‐]?[A-Z]{2,}", after) and not re.match(r"[-‐]?(?:CFU|ms\b)", after):
            continue  # 5-HT, 5-HIAA, 5-HTP, 5-HT3
        if _CHEM_LOCANT.match(after):
            continue  # 2,3-dioxygenase, 3-hydroxykynurenine
        if re.match(r"(?:st|nd|rd|th)\b", after):
            continue  # ordinals
        unit = re.match(r"\s?(?:" + _UNITS + r")(?![A-Za-z])", after)
        glued = re.match(r"[A-Za-zα-ωµ]", after)
        if glued and not unit:
            continue  # 1B (a panel), 5HT, 3a
        value = m.group(1)
        if re.fullmatch(r"(?:19[5-9]\d|20[0-3]\d)", value) and not unit \
                and not re.match(r"\s*(?:million|billion|thousand|people|participants|patients|mice|neurons|cells)",
                                 after) and not re.search(r"[~≈<>±=]\s*$", text[:start]):
            continue  # a year
        found.append(value)
    return found


# --------------------------------------------------------------------------- seed names and labels
_SEED = re.compile(r"\bseeds?(?:[\s_-]+(?:articles?|files?))?[\s_#-]*0\d\d\b|\b00\d_[0-9a-f]{8,}(?:\.txt)?\b", re.I)
_ARTICLE_REF = re.compile(r"\bArticles?\s+([A-Z](?:\s*(?:,|and|&|or|/|–|-)\s*[A-Z])*)\b(?![\w-])(?!['’](?!s\b))")


def check_labels(text: str, ctx: Context) -> list[tuple[str, str, str]]:
    """seed-name and unknown-article findings in any learner-facing text."""
    out = []
    for m in _SEED.finditer(text):
        out.append(("seed-name", _context_of(text, m), m.group(0)))
    for m in _ARTICLE_REF.finditer(text):
        group = m.group(1)
        letters = set(re.findall(r"[A-Z]", group))
        for a, b in re.findall(r"([A-Z])\s*[–-]\s*([A-Z])", group):
            letters |= {chr(c) for c in range(ord(a), ord(b) + 1)}
        for letter in sorted(letters - set(ctx.articles)):
            out.append(("unknown-article", _context_of(text, m), f"Article {letter}"))
    return out


def _context_of(text: str, m: re.Match, width: int = 60) -> str:
    return text[max(0, m.start() - width):m.end() + width]


# --------------------------------------------------------------------------- checks per file
def _is_assertive(unit: Unit, sentence: str) -> bool:
    if unit.kind == "heading":
        return False
    plain = sentence.strip().rstrip("*_ )\"”’'")
    if plain.endswith("?"):
        return False
    if _INSTRUCTION.match(sentence):
        return False
    if unit.kind == "row" and re.fullmatch(r"[\s|*_A-Za-z!:]*", sentence):
        return False
    return True


def check_markdown(markdown: str, ctx: Context, *, file: str = "<text>", cell: int | str | None = None,
                   sourced_elsewhere: bool = False, sourced_by: Sequence[str] = ()) -> tuple[list[Finding], Coverage]:
    """All per-text rules on one markdown cell (or one bank text)."""
    findings: list[Finding] = []
    cov = Coverage()
    for rule, text, detail in check_labels(markdown, ctx):
        findings.append(Finding(file, cell, text, rule, detail))
    for unit in markdown_units(markdown):
        for sentence in split_sentences(unit.text):
            result = check_sentence(sentence, ctx, assertive=_is_assertive(unit, sentence),
                                    sourced_elsewhere=sourced_elsewhere, sourced_by=sourced_by)
            ctx.cited |= result.cited_keys
            cov.add(result.coverage)
            findings += [Finding(file, cell, text, rule, detail) for rule, text, detail in result.findings]
    return findings, cov


def check_notebook(nb: Mapping[str, Any], ctx: Context, *, file: str = "<notebook>",
                   full: bool = True) -> tuple[list[Finding], Coverage]:
    """Markdown cells get every rule (``full``) or only label rules; code cells: labels + show_references."""
    findings: list[Finding] = []
    cov = Coverage()
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            if full:
                f, c = check_markdown(source, ctx, file=file, cell=index)
                findings += f
                cov.add(c)
            else:
                findings += [Finding(file, index, t, r, d) for r, t, d in check_labels(source, ctx)]
                for m in _CITATION.finditer(source):
                    for key in re.split(r"\s*[,;]\s*", m.group(1).strip()):
                        ctx.cited.add(key)
                        if key not in ctx.references:
                            findings.append(Finding(file, index, m.group(0), "unresolved-key", f"[{key}]"))
        elif cell.get("cell_type") == "code":
            findings += [Finding(file, index, t, r, d) for r, t, d in check_labels(source, ctx)
                         if r == "seed-name"]
            for m in _SHOW_REFS.finditer(source):
                for key in re.findall(r"[\"']([^\"']+)[\"']", m.group(1)):
                    if key not in ctx.references:
                        findings.append(Finding(file, index, m.group(0), "unresolved-key", f"[{key}]"))
    return findings, cov


_BANK_TEXT_FIELDS = ("prompt", "hint", "explanation", "correct_feedback", "demo")


def bank_texts(question: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(field path, text) for every learner-facing string of one bank question."""
    for name in _BANK_TEXT_FIELDS:
        if isinstance(question.get(name), str):
            yield name, question[name]
    for i, opt in enumerate(question.get("options") or []):
        for name in ("text", "feedback"):
            if isinstance(opt.get(name), str):
                yield f"options[{opt.get('id', i)}].{name}", opt[name]
    for i, wrong in enumerate(question.get("wrong_answers") or []):
        for name in ("text", "feedback"):
            if isinstance(wrong.get(name), str):
                yield f"wrong_answers[{i}].{name}", wrong[name]


def _wrong_choice_paths(question: Mapping[str, Any]) -> set[str]:
    out = {f"options[{o.get('id', i)}].text" for i, o in enumerate(question.get("options") or [])
           if not o.get("correct")}
    out |= {f"wrong_answers[{i}].text" for i, _ in enumerate(question.get("wrong_answers") or [])}
    return out


def check_bank(bank: Mapping[str, Any], ctx: Context, *, file: str = "<bank>") -> tuple[list[Finding], Coverage]:
    """A question's ``references:`` must resolve and source the numbers in its texts; inline
    citations in bank text follow the lesson rules."""
    findings: list[Finding] = []
    cov = Coverage()
    for q in bank.get("questions") or []:
        qid = str(q.get("id", "?"))
        refs = list(q.get("references") or [])
        for key in refs:
            ctx.cited.add(key)
            if key not in ctx.references:
                findings.append(Finding(file, qid, f"references: {refs}", "unresolved-key", f"[{key}]"))
        wrong = _wrong_choice_paths(q)
        for path, text in bank_texts(q):
            # A wrong choice states a wrong number on purpose: sourced by the question, not a fact.
            keys = () if path in wrong else refs
            f, c = check_markdown(text, ctx, file=file, cell=f"{qid} {path}", sourced_by=keys,
                                  sourced_elsewhere=bool(refs))
            findings += f
            cov.add(c)
    return findings, cov


def check_csv(text: str, ctx: Context, *, file: str = "<csv>") -> list[Finding]:
    """Every data row has a resolvable ``source`` (and ``where``/tier, if the file has those columns)."""
    findings: list[Finding] = []
    findings += [Finding(file, None, t, r, d) for r, t, d in check_labels(text, ctx)]
    lines = text.splitlines(keepends=True)
    data = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    if not data:
        return findings
    reader = csv.DictReader(io.StringIO("".join(line for _, line in data)))
    columns = reader.fieldnames or []
    if "source" not in columns:
        findings.append(Finding(file, data[0][0], ",".join(columns), "data-source",
                                "the file has no `source` column (one citation key per row)"))
        return findings
    tier_col = next((c for c in ("evidence_tier", "tier") if c in columns), None)
    for (lineno, _), row in zip(data[1:], reader):
        source = (row.get("source") or "").strip()
        label = _shorten(",".join(str(v) for v in row.values() if v), 100)
        if not source:
            findings.append(Finding(file, lineno, label, "data-source", "empty source"))
        keys = [k for k in re.split(r"[;,\s]+", source) if k]
        for key in keys:
            ctx.cited.add(key)
            if key not in ctx.references:
                findings.append(Finding(file, lineno, label, "unresolved-key", f"[{key}]"))
        if "where" in columns and not (row.get("where") or "").strip():
            findings.append(Finding(file, lineno, label, "data-where", "empty where"))
        if tier_col and keys:
            tier = (row.get(tier_col) or "").strip()
            known = {ctx.references.get(k) for k in keys if ctx.references.get(k)}
            if tier and known and tier not in known:
                findings.append(Finding(file, lineno, label, "data-tier",
                                        f"row says {tier!r}; references.yaml: "
                                        + ", ".join(f"{k}={ctx.references.get(k)}" for k in keys)))
    return findings


def check_claims_keys(claims: Mapping[str, Any], ctx: Context, *, file: str = "assets/claims.yaml") -> list[Finding]:
    findings = []
    for claim in (claims or {}).get("claims") or []:
        for ev in claim.get("evidence") or []:
            key = ev.get("key") if isinstance(ev, Mapping) else ev
            ctx.cited.add(key)
            if key not in ctx.references:
                findings.append(Finding(file, claim.get("id"), str(ev), "unresolved-key", f"[{key}]"))
        for name in ("explanation", "why_not_verified"):
            if isinstance(claim.get(name), str):
                # Like a bank question: the claim's evidence keys source the numbers in its texts.
                keys = [e.get("key") if isinstance(e, Mapping) else e for e in claim.get("evidence") or []]
                f, _ = check_markdown(claim[name], ctx, file=file, cell=f"{claim.get('id')} {name}",
                                      sourced_by=[k for k in keys if k])
                findings += f
    for group in (claims or {}).get("contradictions") or []:
        f, _ = check_markdown(group.get("summary", ""), ctx, file=file, cell=f"{group.get('id')} summary")
        findings += f
    findings += check_ledger(claims, ctx, file=file)
    return findings


def check_ledger(claims: Mapping[str, Any], ctx: Context, *, file: str = "assets/claims.yaml") -> list[Finding]:
    """The ledger's own validation (schema, tiers, evidence, verbatim quotes) as findings."""
    from gutbrain.ledger import validate

    references = {k: {"evidence_tier": t} for k, t in ctx.references.items()}
    articles = {letter: {} for letter in ctx.articles}
    texts = None
    if ctx.article_texts is not None:
        texts = {k: v for k, v in ctx.article_texts.items()}
    problems = validate(claims, references=references, articles=articles, article_texts=texts, where=file,
                        normalise=normalise_quote)
    return [Finding(file, None, p, "ledger-invalid") for p in problems]


def duplicate_references(text: str, *, file: str = "assets/references.yaml") -> list[Finding]:
    """Top-level keys defined more than once (PyYAML silently keeps the last definition)."""
    seen: dict[str, int] = {}
    findings = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^([A-Za-z0-9][\w.-]*):\s*$", line)
        if m:
            key = m.group(1)
            if key in seen:
                findings.append(Finding(file, lineno, key, "duplicate-reference",
                                        f"also defined on line {seen[key]}; keep one entry"))
            seen.setdefault(key, lineno)
    return findings


def uncited_references(ctx: Context, *, file: str = "assets/references.yaml") -> list[Finding]:
    return [Finding(file, key, key, "uncited-reference", "cite it in a lesson, bank, CSV or claim, or remove it")
            for key in ctx.references if key not in ctx.cited]


# --------------------------------------------------------------------------- the whole course
@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Findings of a rule whose scope has no facts file yet: reported, not failing.
    pending: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Findings per rule (pending ones under ``pending:<rule>``)."""
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.rule] = out.get(f.rule, 0) + 1
        for f in self.pending:
            out["pending:" + f.rule] = out.get("pending:" + f.rule, 0) + 1
        return dict(sorted(out.items()))

    def total(self) -> Coverage:
        total = Coverage()
        for c in self.coverage.values():
            total.add(c)
        return total

    def text(self) -> str:
        lines = [str(f) for f in self.findings]
        lines.append("")
        lines.append("Coverage:")
        for name, cov in self.coverage.items():
            lines.append(f"  {name}: {cov.summary()}")
        lines.append(f"  ALL: {self.total().summary()}")
        lines += [f"  {note}" for note in self.notes]
        if self.pending:
            lines.append("Pending (a scope without assets/facts/<scope>.yaml; not failing):")
            lines += [f"  {f}" for f in self.pending]
        lines.append("Per rule: " + (", ".join(f"{k} {v}" for k, v in self.counts().items()) or "none"))
        lines.append(f"{len(self.findings)} finding(s), {len(self.pending)} pending")
        return "\n".join(lines)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_path(path: Path, ctx: Context, root: Path, report: Report) -> None:
    name = _rel(path, root)
    before = len(report.findings)
    _check_path(path, name, ctx, root, report)
    scope = scope_of(name)
    if ctx.registry is not None and scope is not None and scope not in ctx.registry.scopes:
        new = report.findings[before:]
        report.findings[before:] = [f for f in new if f.rule not in PHASED_RULES]
        report.pending += [f for f in new if f.rule in PHASED_RULES]


def _check_path(path: Path, name: str, ctx: Context, root: Path, report: Report) -> None:
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            from gutbrain.data import AssetError
            raise AssetError(f"{path}: not a readable notebook ({err})") from None
        kind = (nb.get("metadata", {}).get("gutbrain") or {}).get("kind", "lesson")
        # The review notebook describes the course's own scheduler (boxes, days), not the science.
        lesson = "lessons" in path.parts and kind != "review"
        findings, cov = check_notebook(nb, ctx, file=name, full=lesson)
        report.findings += findings
        if lesson:
            report.coverage[name] = cov
    elif path.suffix in (".yaml", ".yml") and path.name == "claims.yaml":
        data = _read_yaml(path) or {}
        report.findings += check_claims_keys(data, ctx, file=name)
        claims = data.get("claims") or []
        with_ev = [c for c in claims if c.get("evidence")]
        tiered = sum(all(isinstance(e, Mapping) and e.get("tier") for e in c["evidence"]) for c in with_ev)
        if claims:
            report.notes.append(
                f"{name}: {len(claims)} claims; with evidence keys {100 * len(with_ev) / len(claims):.0f}% "
                f"({len(with_ev)}/{len(claims)}); evidence with tier {100 * tiered / max(1, len(with_ev)):.0f}%; "
                f"not verified {sum(c.get('verdict') == 'not verified' for c in claims)}")
    elif path.suffix in (".yaml", ".yml"):
        findings, cov = check_bank(_read_yaml(path) or {}, ctx, file=name)
        report.findings += findings
        report.coverage[name] = cov
    elif path.suffix == ".csv":
        report.findings += check_csv(path.read_text(encoding="utf-8"), ctx, file=name)
    elif path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        report.findings += [Finding(name, None, t, r, d) for r, t, d in check_labels(text, ctx)]


def course_paths(root: Path) -> list[Path]:
    """Everything learners read: lessons, banks, data, the ledger, quizzes and the README."""
    paths = sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb"))
    paths += sorted((root / "assets" / "questions").glob("*.yaml"))
    paths += sorted((root / "assets" / "data").glob("*.csv"))
    if (root / "assets" / "claims.yaml").is_file():
        paths.append(root / "assets" / "claims.yaml")
    paths += sorted((root / "quizzes" / "source").glob("*/*.ipynb"))
    if (root / "README.md").is_file():
        paths.append(root / "README.md")
    return paths


def check_course(root: Path, paths: list[Path] | None = None, *, global_rules: bool | None = None) -> Report:
    """Check the given paths (default: the whole course). ``uncited-reference`` needs the whole
    course, so it runs only when no paths are given (or ``global_rules=True``)."""
    ctx = load_context(root / "assets", root)
    report = Report()
    if ctx.registry is not None:
        report.findings += [Finding("assets/facts", None, p, "facts-invalid") for p in ctx.registry.problems]
    if ctx.article_texts is None:
        if os.environ.get("CI"):
            report.findings.append(Finding(str(seeds_dir(root)), None, "the five stored articles", "articles-missing",
                                           "set GUTBRAIN_SEEDS to the folder with the articles"))
        else:
            report.notes.append(f"articles not found at {seeds_dir(root)}: quotes were not checked "
                                "(this fails in CI; set GUTBRAIN_SEEDS)")
    whole = paths is None
    targets = course_paths(root) if whole else paths
    if not whole and (global_rules is True):
        targets = course_paths(root)
    for path in targets:
        check_path(Path(path), ctx, root, report)
    if global_rules if global_rules is not None else whole:
        report.findings += uncited_references(ctx)
        report.findings += duplicate_references((root / "assets" / "references.yaml").read_text(encoding="utf-8"))
    return report


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m gutbrain.evidence", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="lessons (.ipynb), banks (.yaml), data (.csv); "
                        "default: the whole course, including the uncited-reference rule")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.rules:
        print("\n".join(f"{k}: {v}" for k, v in RULES.items()))
        return 0
    from gutbrain.data import AssetError

    try:
        report = check_course(args.root, args.paths or None)
    except AssetError as err:
        print(f"cannot check: {err}", file=sys.stderr)
        return 2
    print(report.text())
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
