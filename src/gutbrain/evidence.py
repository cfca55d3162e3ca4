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
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

TIERS = (
    "in vitro", "animal", "human observational", "human uncontrolled trial", "human RCT",
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
}


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


def _read_yaml(path: Path) -> Any:
    from gutbrain.data import AssetError

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise AssetError(f"{path}: cannot read it ({err})") from None
    except yaml.YAMLError as err:
        raise AssetError(f"{path} is not valid YAML: {err}") from None


def load_context(assets: Path) -> Context:
    refs = _read_yaml(assets / "references.yaml") or {}
    arts = _read_yaml(assets / "articles.yaml") or {}
    letters = frozenset(str(k) for k in (arts.get("articles") or {}))
    return Context(references={k: (v or {}).get("evidence_tier") for k, v in refs.items()}, articles=letters)


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
    return any(head == m or head.startswith(m + " ") or head.startswith(m + ",") for m in SOURCE_MARKERS)


@dataclass
class SentenceCheck:
    findings: list[tuple[str, str, str]]  # (rule, text, detail)
    coverage: Coverage
    cited_keys: set[str]


_SEP_BETWEEN_CITATIONS = re.compile(r"^[\s,;]*(?:and|&)?[\s,;]*$")


def check_sentence(sentence: str, ctx: Context, *, assertive: bool = True,
                   sourced_elsewhere: bool = False) -> SentenceCheck:
    """Apply the citation, tier and number rules to one sentence.

    ``assertive`` False (headings, questions, instructions) skips the number rule.
    ``sourced_elsewhere`` True (a bank question with a ``references:`` list) sources its numbers.
    """
    findings: list[tuple[str, str, str]] = []
    cov = Coverage()
    cited: set[str] = set()

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

    is_prose = assertive
    if is_prose:
        cov.sentences += 1
        cov.cited_sentences += bool(cites) or sourced_elsewhere

    if assertive:
        numbers = find_numbers(sentence, ctx)
        marker_texts = [(mk.group(1) or mk.group(2)) for mk in markers]
        has_marker = any(_is_source_marker(t) for t in marker_texts)
        only_unverified = has_marker and all(
            t.split(";")[0].strip().lower().startswith("unverified") for t in marker_texts if _is_source_marker(t))
        for number in numbers:
            cov.numbers += 1
            if cites or has_marker or sourced_elsewhere:
                cov.sourced_numbers += 1
                if only_unverified and not cites and not sourced_elsewhere:
                    cov.unverified_numbers += 1
            else:
                findings.append(("unsourced-number", sentence, f"number {number!r}"))
    return SentenceCheck(findings, cov, cited)


# --------------------------------------------------------------------------- numbers
_UNITS = (r"%|‰|[×x](?!\w)|-?fold\b|mg|µg|ug|ng|pg|g|kg|mL|ml|µL|ul|L|l|mmol|µmol|nmol|mM|µM|uM|nM|pM|M|"
          r"ms|s|sec|min|h|hr|hrs|d|wk|y|yr|yrs|kcal|cal|CFU|cfu|bn|°C|cm|mm|µm|nm|m|km|Hz|kDa|Da")
_CHEM_LOCANT = re.compile(r"-(?:hydroxy|dihydroxy|dioxygenase|monooxygenase|methyl|methoxy|amino|oxo|keto|"
                          r"indol|deoxy|phospho|nitro|chloro|fluoro|bromo|hydroxylase|carboxy)", re.I)
_NUMBER = re.compile(r"(?<![\w.,\-\u2010-\u2015/])(\d+(?:[.,]\d+)*)")
_NON_QUANTITY = [
    re.compile(r"\b(?:lessons?|quiz(?:zes)?|sections?|steps?|figures?|fig\.?|figs\.?|tables?|parts?|questions?|"
               r"chapters?|items?|cells?|exercises?|rounds?|options?|modules?|panels?|think!?|tasks?|issues?|"
               r"python|version|page|p\.|pp\.|eq\.|equation|level)\s+\d+[A-Za-z]?"
               r"(?:\s*(?:[–\-]|and|,|&|or|to)\s*\d+[A-Za-z]?)*", re.I),
    re.compile(r"\b(?:PMID|PMCID|PMC|DOI|doi|BTO|GO|CHEBI|KEGG|MODEL|BIOMD)\s*:?\s*[\w./\-]*\d[\w./\-]*"),
    re.compile(r"\b10\.\d{4,}/\S+"),
    re.compile(r"https?://\S+"),
    re.compile(r"\b[A-Za-z]+:\d+"),
    # Author–year: "Yano 2015", "Clarke et al. 2013", "Gershon & Tack (2007", "Mawe and Hoffman 2013"
    re.compile(r"\b[A-Z][A-Za-zÀ-ÿ'’\-]+(?:\s+et\s+al\.?|\s*(?:&|and)\s*[A-Z][A-Za-zÀ-ÿ'’\-]+)?,?\s*\(?"
               r"(?:19|20)\d\d[a-z]?\b"),
    # Durations of course activities: "about 75 minutes" to learn, "Quiz 1 (about 25 minutes)".
    re.compile(r"(?i)\b(?:about|around|roughly|takes|~)?\s*\d+(?:\s*[–\-]\s*\d+)?\s*(?:minutes|mins?)\b"),
]
# Sentences that instruct the learner what to do with a control (numbers there are settings).
_INSTRUCTION = re.compile(
    r"^[*_\s]*(?:\d+[.)]\s*)?(?:(?:now|then|next|first|also|and|finally|again),?\s+)?(?:set|move|drag|choose|pick|select|raise|lower|turn|click|try|put|switch|slide|"
    r"change|increase|decrease|reset|run|open|hover|press|type|enter|compare|drop|tick|untick|use)\b", re.I)
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
_ARTICLE_REF = re.compile(r"\bArticles?\s+([A-Z](?:\s*(?:,|and|&|or|/|–|-)\s*[A-Z])*)\b(?![\w'’-])")


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
                   sourced_elsewhere: bool = False) -> tuple[list[Finding], Coverage]:
    """All per-text rules on one markdown cell (or one bank text)."""
    findings: list[Finding] = []
    cov = Coverage()
    for rule, text, detail in check_labels(markdown, ctx):
        findings.append(Finding(file, cell, text, rule, detail))
    for unit in markdown_units(markdown):
        for sentence in split_sentences(unit.text):
            result = check_sentence(sentence, ctx, assertive=_is_assertive(unit, sentence),
                                    sourced_elsewhere=sourced_elsewhere)
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
        for path, text in bank_texts(q):
            f, c = check_markdown(text, ctx, file=file, cell=f"{qid} {path}", sourced_elsewhere=bool(refs))
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
                f, _ = check_markdown(claim[name], ctx, file=file, cell=f"{claim.get('id')} {name}",
                                      sourced_elsewhere=bool(claim.get("evidence")))
                findings += f
    for group in (claims or {}).get("contradictions") or []:
        f, _ = check_markdown(group.get("summary", ""), ctx, file=file, cell=f"{group.get('id')} summary")
        findings += f
    return findings


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
        lines.append(f"{len(self.findings)} finding(s)")
        return "\n".join(lines)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def check_path(path: Path, ctx: Context, root: Path, report: Report) -> None:
    name = _rel(path, root)
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
    ctx = load_context(root / "assets")
    report = Report()
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
