"""The course map, built from the lessons present (each notebook's ``metadata.gutbrain``)."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from gutbrain.data import AssetError, lessons_dir, load_references

LESSON_METADATA_SCHEMA = {
    "type": "object",
    "required": ["number", "title", "goal", "minutes", "prerequisites", "objectives"],
    "additionalProperties": False,
    "properties": {
        "number": {"type": "integer", "minimum": 0},
        "title": {"type": "string", "minLength": 3},
        "goal": {"type": "string", "minLength": 10},
        "minutes": {"type": "integer", "minimum": 1, "maximum": 600},
        "prerequisites": {"type": "array", "items": {"type": "string"}},
        "objectives": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "kind": {"enum": ["lesson", "review"]},
    },
}


@dataclass(frozen=True)
class Lesson:
    slug: str  # file name without .ipynb, e.g. "01_serotonin_synthesis"
    number: int
    title: str
    goal: str
    minutes: int
    prerequisites: tuple[str, ...]
    objectives: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"{self.slug}.ipynb"


def read_lesson(path: Path) -> Lesson:
    """Lesson facts from a notebook's metadata; AssetError naming the file if malformed."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AssetError(f"{path}: cannot read the notebook ({err})") from None
    meta = nb.get("metadata", {}).get("gutbrain")
    if meta is None:
        raise AssetError(f"{path}: no metadata.gutbrain (see docs/lesson_template.md)")
    problems = list(jsonschema.Draft202012Validator(LESSON_METADATA_SCHEMA).iter_errors(meta))
    if problems:
        raise AssetError(f"{path}: metadata.gutbrain: {problems[0].message}")
    return Lesson(slug=path.stem, number=meta["number"], title=meta["title"], goal=meta["goal"],
                  minutes=meta["minutes"], prerequisites=tuple(meta["prerequisites"]),
                  objectives=tuple(meta["objectives"]))


def lessons(folder: Path | None = None) -> list[Lesson]:
    """Every lesson in lessons/, in course order."""
    folder = folder or lessons_dir()
    found = [read_lesson(p) for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]
    return sorted(found, key=lambda lesson: (lesson.number, lesson.slug))


#: JupyterLab right-aligns table cells; text reads from the left, numbers line up on the right.
_TEXT_CELL = 'style="text-align:left;vertical-align:top"'
_NUMBER_CELL = 'style="text-align:right;vertical-align:top;white-space:nowrap"'


def course_map_html(course: list[Lesson]) -> str:
    """An accessible HTML table of the course: lesson, goal, time, prerequisites."""
    titles = {lesson.slug: lesson.title for lesson in course}
    rows = []
    for lesson in course:
        prereq = ", ".join(html.escape(titles.get(p, p)) for p in lesson.prerequisites) or "none"
        rows.append(
            f"<tr><td {_NUMBER_CELL}>{lesson.number}</td>"
            f'<td {_TEXT_CELL}><a href="{html.escape(lesson.path)}">{html.escape(lesson.title)}</a></td>'
            f"<td {_TEXT_CELL}>{html.escape(lesson.goal)}</td><td {_NUMBER_CELL}>{lesson.minutes} min</td>"
            f"<td {_TEXT_CELL}>{prereq}</td></tr>"
        )
    total = sum(lesson.minutes for lesson in course)
    head = "".join(f'<th scope="col" {_NUMBER_CELL if name in ("#", "Time") else _TEXT_CELL}>{name}</th>'
                   for name in ("#", "Lesson", "You will be able to", "Time", "Prerequisites"))
    return (
        '<table class="gutbrain-course-map"><caption style="text-align:left">Course map: '
        f"{len(course)} lessons, about {total / 60:.1f} hours in all</caption>"
        f"<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _reference_links(entry: dict) -> list[str]:
    """Links to a source: DOI, PubMed, PMC, else its URL (each opens in a new tab)."""
    links = []
    if entry.get("doi"):
        links.append((f"https://doi.org/{entry['doi']}", f"doi:{entry['doi']}"))
    if entry.get("pmid"):
        links.append((f"https://pubmed.ncbi.nlm.nih.gov/{entry['pmid']}/", f"PMID {entry['pmid']}"))
    if entry.get("pmcid"):
        links.append((f"https://pmc.ncbi.nlm.nih.gov/articles/{entry['pmcid']}/", entry["pmcid"]))
    if not links and entry.get("url"):
        links.append((entry["url"], "web page"))
    return [f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{html.escape(text)}</a>'
            for url, text in links]


def references_html(keys: list[str]) -> str:
    """A readable reference list for the given citation keys (all must exist): key, authors (year),
    title, where published, the evidence tier as a label, and DOI / PubMed / PMC links."""
    refs = load_references()
    missing = [k for k in keys if k not in refs]
    if missing:
        raise AssetError(f"unknown citation key(s) {', '.join(missing)}: add them to assets/references.yaml")
    items = []
    for key in keys:
        entry = refs[key]
        where = " ".join(str(x) for x in (entry.get("journal"), entry.get("volume")) if x)
        if entry.get("pages"):
            where += f":{entry['pages']}"
        tier = html.escape(entry.get("evidence_tier", "no tier"))
        items.append(
            f'<li id="ref-{html.escape(key)}" style="margin:0 0 0.55em 0">'
            f'<code>[{html.escape(key)}]</code> {html.escape(str(entry["authors"]))} ({html.escape(str(entry["year"]))}). '
            f'<b>{html.escape(str(entry["title"]).rstrip("."))}.</b>'
            + (f" <i>{html.escape(where)}</i>." if where else "")
            + f' <span class="gutbrain-tier" style="border:1px solid #777;border-radius:3px;padding:0 4px;'
            f'font-size:0.9em;white-space:nowrap">({tier})</span> '
            + " · ".join(_reference_links(entry))
            + "</li>"
        )
    return ('<ul class="gutbrain-references" style="list-style:none;padding-left:0;line-height:1.45">'
            f"{''.join(items)}</ul>")


def assumptions_html(text: str, heading: str = "What the model assumes") -> str:
    """A model's assumptions as a readable bulleted box (one sentence per bullet), not monospace print."""
    import re

    sentences = [s.strip() for s in re.split(r"(?<=[.:])\s+(?=[A-Z])", text.strip()) if s.strip()]
    bullets = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (f'<div class="gutbrain-assumptions" style="border-left:4px solid #0072B2;padding:4px 12px;'
            f'margin:6px 0"><b>{html.escape(heading)}</b><ul style="margin:4px 0">{bullets}</ul></div>')


def show_assumptions(text: str | None = None) -> None:
    """Show the tryptophan model's assumptions (or ``text``) as formatted text."""
    from IPython.display import HTML, display

    if text is None:
        from gutbrain.models.tryptophan import ASSUMPTIONS as text
    display(HTML(assumptions_html(text)))


def show_course_map() -> None:
    from IPython.display import HTML, display

    display(HTML(course_map_html(lessons())))


def show_references(keys: list[str]) -> None:
    from IPython.display import HTML, display

    display(HTML(references_html(keys)))
