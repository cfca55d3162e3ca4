"""Grade CSV and the class's misconception report.

The report counts the answers the grader graded (``reports/grading_summary.json``: the
values the sandboxed kernel handed back), against the grader's key; nothing is re-read from
the notebooks and no student code is executed here.
"""
from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from pathlib import Path

import nbformat

from gutbrain.data import parse_yaml
from gutbrain.selfcheck.bank import load_misconceptions

from . import static
from .course import KEYS_DIR, gradebook, make_api, quiet_nbgrader, quiz_ids
from .grading import load_summary

NO_ANSWER, NOT_AN_OPTION, UNREADABLE, NOT_GRADED = "(no answer)", "(not an option)", "(unreadable)", "(not graded)"


# ---------------------------------------------------------------- keys

def load_tags() -> dict[str, str]:
    """The same validated tags the lessons' self-checks use (assets/misconceptions.yaml)."""
    return dict(load_misconceptions())


def load_key(quiz: str, keys_dir: Path = KEYS_DIR) -> dict | None:
    path = Path(keys_dir) / f"{quiz}.yaml"
    return parse_yaml(path.read_text(encoding="utf-8")) if path.is_file() else None


def correct_option(course_root: Path, quiz: str, notebook: str, answer_cell: str, variable: str):
    """The right option, read from the quiz source's solution (never duplicated in the key file)."""
    nb = nbformat.read(Path(course_root) / "source" / quiz / f"{notebook}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == answer_cell:
            value = static.last_literal_assignment(cell.source, variable)
            return None if value is static.MISSING else value
    return None


def validate_key(course_root: Path, quiz: str, key: dict, tags: dict | None = None) -> list[str]:
    """Problems with a key file (unknown tag, untagged wrong option, wrong cell...)."""
    tags = tags if tags is not None else load_tags()
    problems = []
    for item in key.get("items", []):
        right = correct_option(course_root, quiz, key["notebook"], item["answer_cell"], item["variable"])
        if right is None:
            problems.append(f"{item['item']}: no literal solution for {item['variable']} in {item['answer_cell']}")
        elif right not in item["options"]:
            problems.append(f"{item['item']}: the solution {right!r} is not among the options")
        for option in item["options"]:
            tag = item.get("misconceptions", {}).get(option)
            if option != right and tag is None:
                problems.append(f"{item['item']}: wrong option {option!r} has no misconception tag")
            if tag is not None and tag not in tags:
                problems.append(f"{item['item']}: unknown misconception tag {tag!r}")
            if option == right and tag is not None:
                problems.append(f"{item['item']}: the right option {option!r} carries a tag")
    return problems


# ---------------------------------------------------------------- the data

_OPTION = re.compile(r"""^\s*[-*]\s*`["']?([^"'`]+)["']?`\s*(.+?)\s*$""")
_ITEM = re.compile(r"\*\*(Item\s+[^(*.]+?)\s*(\(|\.|\*\*)")


def item_texts(course_root: Path, quiz: str, notebook: str, answer_cell: str) -> tuple[str | None, dict]:
    """(label such as "Item 1", {option: its text}) from the prompt above ``answer_cell``."""
    path = Path(course_root) / "source" / quiz / f"{notebook}.ipynb"
    if not path.is_file():
        return None, {}
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == answer_cell:
            prompt = next((c for c in reversed(cells[:i]) if c.cell_type == "markdown"), None)
            if prompt is None:
                return None, {}
            texts = {}
            for line in prompt.source.splitlines():
                m = _OPTION.match(line)
                if m:
                    texts[m.group(1)] = m.group(2)
            label = _ITEM.search(prompt.source)
            return (label.group(1).strip() if label else None), texts
    return None, {}


def graded_key(course_root: Path, quiz: str, notebook: str) -> dict:
    """The key the grader used (computed from the source solution; ``.gutbrain-keys``), or {}."""
    from .key import RUNNER_VERSION, _sha
    path = Path(course_root) / "source" / quiz / f"{notebook}.ipynb"
    if not path.is_file():
        return {}
    digest = _sha(path.read_bytes() + RUNNER_VERSION.encode())[:20]
    cache = Path(course_root) / ".gutbrain-keys" / f"{quiz}-{notebook}-{digest}.json"
    try:
        return json.loads(cache.read_text()) if cache.is_file() else {}
    except ValueError:
        return {}


def misconception_data(course_root: Path, quizzes: list[str] | None = None, keys_dir: Path = KEYS_DIR) -> dict:
    """Counts of the answers that were graded (``grading_summary.json``), per option and tag."""
    root = Path(course_root)
    tags = load_tags()
    summary = load_summary(root)
    data: dict = {"quizzes": {}, "tags": tags}
    for quiz in quizzes or quiz_ids(root):
        key = load_key(quiz, keys_dir)
        if key is None:
            continue
        entries = summary.get(quiz, {})
        graded_key_items = graded_key(root, quiz, key["notebook"])
        qdata = {"students": len(entries), "graded": sum(e.get("status") == "graded" for e in entries.values()),
                 "items": [], "by_tag": Counter()}
        for item in key["items"]:
            want = graded_key_items.get(item["item"], {}).get("want", {}).get("value")
            right = want if want is not None else correct_option(root, quiz, key["notebook"], item["answer_cell"],
                                                                 item["variable"])
            label, texts = item_texts(root, quiz, key["notebook"], item["answer_cell"])
            counts: Counter = Counter()
            for student, entry in entries.items():
                if entry.get("status") != "graded":
                    choice = NOT_GRADED
                else:
                    choice = entry.get("answers", {}).get(item["item"], NO_ANSWER)
                    if choice is None:
                        choice = NO_ANSWER
                    elif choice not in (NO_ANSWER,) and choice not in item["options"]:
                        choice = NOT_AN_OPTION
                counts[str(choice)] += 1
            options = []
            for option in item["options"]:
                tag = item.get("misconceptions", {}).get(option)
                options.append({"option": option, "text": texts.get(str(option), ""),
                                "count": counts.get(str(option), 0), "correct": option == right, "tag": tag})
                if tag and option != right:
                    qdata["by_tag"][tag] += counts.get(str(option), 0)
            qdata["items"].append({"item": item["item"], "label": label or item["item"], "variable": item["variable"],
                                   "options": options,
                                   "other": {k: counts[k] for k in (NO_ANSWER, NOT_AN_OPTION, NOT_GRADED)
                                             if counts.get(k)}})
        qdata["by_tag"] = dict(sorted(qdata["by_tag"].items(), key=lambda kv: (-kv[1], kv[0])))
        data["quizzes"][quiz] = qdata
    return data


def _bar(count: int, total: int, colour: str) -> str:
    width = 0 if total <= 0 else round(100 * count / total)
    return (f"<div class='bar' role='img' aria-label='{count} of {total} students'>"
            f"<span style='width:{width}%;background:{colour}'></span></div>")


def write_report(course_root: Path, out: Path | None = None, quizzes: list[str] | None = None,
                 keys_dir: Path = KEYS_DIR) -> Path:
    """A small self-contained HTML page (no scripts): wrong answers by misconception; JSON beside it."""
    root = Path(course_root)
    out = Path(out or root / "reports" / "misconceptions.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = misconception_data(root, quizzes, keys_dir)
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, sort_keys=True))
    esc = html.escape
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Gut Feelings — misconception report</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.25rem .6rem;"
             "text-align:left;vertical-align:top}th{background:#f0f0f0}.ok{color:#006400;font-weight:bold}"
             ".bar{width:12rem;height:1rem;background:#eee}.bar span{display:block;height:100%}</style></head><body>",
             "<h1>Misconception report</h1>",
             "<p>For every choice item: how many students chose each option, and the misconception a wrong "
             "option reveals (the same tags as the lessons' self-checks). The answers are the values the "
             "grader graded; the right option is the grader's key.</p>"]
    for quiz, q in data["quizzes"].items():
        parts.append(f"<h2>{esc(quiz)} — {q['students']} submission(s), {q['graded']} graded</h2>")
        if not q["students"]:
            parts.append("<p>No graded submissions yet (run <code>make grade</code>).</p>")
            continue
        if q["by_tag"]:
            top = max(q["by_tag"].values()) or 1
            parts.append("<table><caption>Wrong answers by misconception</caption><tr><th>misconception</th>"
                         "<th>students</th><th></th><th>meaning</th></tr>")
            for tag, n in q["by_tag"].items():
                parts.append(f"<tr><td>{esc(tag)}</td><td>{n}</td><td>{_bar(n, top, '#D55E00')}</td>"
                             f"<td>{esc(data['tags'].get(tag, ''))}</td></tr>")
            parts.append("</table>")
        for item in q["items"]:
            parts.append(f"<h3>{esc(item['label'])} (<code>{esc(item['variable'])}</code>)</h3>")
            parts.append("<table><tr><th>option</th><th>text</th><th>students</th><th></th><th>misconception</th></tr>")
            for o in item["options"]:
                label = "<span class='ok'>right answer</span>" if o["correct"] else esc(o["tag"] or "")
                colour = "#009E73" if o["correct"] else "#0072B2"
                parts.append(f"<tr><td>{esc(str(o['option']))}</td><td>{esc(o['text'])}</td><td>{o['count']}</td>"
                             f"<td>{_bar(o['count'], q['students'], colour)}</td><td>{label}</td></tr>")
            for k, n in item["other"].items():
                parts.append(f"<tr><td colspan='2'>{esc(k)}</td><td>{n}</td><td></td><td></td></tr>")
            parts.append("</table>")
    if not data["quizzes"]:
        parts.append("<p>No quiz has a key in assets/quiz_misconceptions/ yet.</p>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


# ---------------------------------------------------------------- grades

def released_quizzes(course_root: Path, gb=None) -> list[str]:
    """The quizzes the instructor handed out: released to the exchange (``make release-hub``),
    or handed in by at least one student (the gradebook has a submission: released as files).

    A student version in release/ is not a release: ``make lab`` builds every quiz's."""
    root = Path(course_root)
    with quiet_nbgrader():
        in_exchange = make_api(root).get_released_assignments()
    if gb is None:
        with quiet_nbgrader(), gradebook(root) as own:
            return released_quizzes(root, own)
    submitted = {a.name for a in gb.assignments if a.submissions}
    return [q for q in quiz_ids(root) if q in in_exchange or q in submitted]


def export_csv(course_root: Path, out: Path | None = None, quizzes: list[str] | None = None) -> Path:
    """One row per student: per released quiz (:func:`released_quizzes`) the score, maximum, status
    and flags; then the total.

    The total is left empty (not 0) while any counted quiz of the student is not (fully) graded.
    """
    from nbgrader.api import MissingEntry

    root = Path(course_root)
    out = Path(out or root / "reports" / "grades.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = load_summary(root)
    rows: dict[str, dict] = {}
    with quiet_nbgrader(), gradebook(root) as gb:
        known = {a.name for a in gb.assignments}
        counted = [q for q in (quizzes or released_quizzes(root, gb)) if q in known]
        maxima = {a.name: float(a.max_score) for a in gb.assignments if a.name in counted}
        for st in gb.students:
            rows[st.id] = {"student_id": st.id, "last_name": st.last_name or "", "first_name": st.first_name or ""}
        for quiz in counted:
            for student, row in rows.items():
                entry = summary.get(quiz, {}).get(student)
                try:
                    sub = gb.find_submission(quiz, student)
                except MissingEntry:
                    sub = None
                if entry and entry["status"] != "graded":
                    row[quiz], status = "", entry["status"]
                elif sub is None:
                    row[quiz], status = "", "not_submitted"
                else:
                    row[quiz] = f"{sub.score:g}"
                    status = "needs_manual_grading" if sub.needs_manual_grade else "graded"
                row[f"{quiz}_max"] = f"{maxima[quiz]:g}"
                row[f"{quiz}_status"] = status
                flags = entry["flags"] if entry else []
                row[f"{quiz}_flags"] = ";".join(sorted({f"{f['kind']}:{f['cell']}" for f in flags}))
    for student, row in rows.items():
        open_items = [q for q in counted if row[f"{q}_status"] not in ("graded", "not_submitted")]
        graded = [q for q in counted if row[f"{q}_status"] == "graded"]
        if open_items or not graded:
            row["total"] = ""
            row["total_status"] = ("incomplete: " + ", ".join(f"{q} {row[f'{q}_status']}" for q in open_items)
                                   if open_items else "nothing graded")
        else:
            row["total"] = f"{sum(float(row[q]) for q in graded):g}"
            row["total_status"] = "complete"
        row["total_max"] = f"{sum(maxima.values()):g}"
    fields = ["student_id", "last_name", "first_name"]
    for quiz in counted:
        fields += [quiz, f"{quiz}_max", f"{quiz}_status", f"{quiz}_flags"]
    fields += ["total", "total_max", "total_status"]
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    return out
