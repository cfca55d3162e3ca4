"""Grade CSV and the class's misconception report.

Answers are read from each submitted notebook's source with ``ast`` (the literal last
assigned to the item's variable in its answer cell); no student code is executed here.
"""
from __future__ import annotations

import csv
import html
import json
from collections import Counter
from pathlib import Path

import nbformat
import yaml

from . import static
from gutbrain.selfcheck.bank import load_misconceptions

from .course import KEYS_DIR, gradebook, quiet_nbgrader, quiz_ids
from .grading import load_summary
from .tamper import read_notebook

NO_ANSWER, NOT_AN_OPTION, UNREADABLE = "(no answer)", "(not an option)", "(unreadable)"


# ---------------------------------------------------------------- keys

def load_tags() -> dict[str, str]:
    """The same validated tags the lessons' self-checks use (assets/misconceptions.yaml)."""
    return dict(load_misconceptions())


def load_key(quiz: str, keys_dir: Path = KEYS_DIR) -> dict | None:
    path = Path(keys_dir) / f"{quiz}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


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


def read_choice(path: Path, answer_cell: str, variable: str):
    try:
        nb = read_notebook(path)
    except (ValueError, OSError):
        return UNREADABLE
    cells = [c for c in nb.cells if c.cell_type == "code"]
    marked = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == answer_cell]
    value = static.MISSING
    for cell in marked or cells:  # metadata stripped: look in every code cell
        found = static.last_literal_assignment(cell.source, variable)
        if found is not static.MISSING:
            value = found
    return NO_ANSWER if value is static.MISSING or value is None else value


# ---------------------------------------------------------------- the data

def misconception_data(course_root: Path, quizzes: list[str] | None = None, keys_dir: Path = KEYS_DIR) -> dict:
    root = Path(course_root)
    tags = load_tags()
    data: dict = {"quizzes": {}, "tags": tags}
    for quiz in quizzes or quiz_ids(root):
        key = load_key(quiz, keys_dir)
        if key is None:
            continue
        students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{quiz}") if p.is_dir())
        qdata = {"students": len(students), "items": [], "by_tag": Counter()}
        for item in key["items"]:
            right = correct_option(root, quiz, key["notebook"], item["answer_cell"], item["variable"])
            counts: Counter = Counter()
            for student in students:
                choice = read_choice(root / "submitted" / student / quiz / f"{key['notebook']}.ipynb",
                                     item["answer_cell"], item["variable"])
                if choice not in (NO_ANSWER, UNREADABLE) and choice not in item["options"]:
                    choice = NOT_AN_OPTION
                counts[str(choice)] += 1
            options = []
            for option in item["options"]:
                tag = item.get("misconceptions", {}).get(option)
                options.append({"option": option, "count": counts.get(str(option), 0),
                                "correct": option == right, "tag": tag})
                if tag and option != right:
                    qdata["by_tag"][tag] += counts.get(str(option), 0)
            qdata["items"].append({"item": item["item"], "variable": item["variable"], "options": options,
                                   "other": {k: counts[k] for k in (NO_ANSWER, NOT_AN_OPTION, UNREADABLE)
                                             if counts.get(k)}})
        qdata["by_tag"] = dict(sorted(qdata["by_tag"].items(), key=lambda kv: (-kv[1], kv[0])))
        data["quizzes"][quiz] = qdata
    return data


def write_report(course_root: Path, out: Path | None = None, quizzes: list[str] | None = None,
                 keys_dir: Path = KEYS_DIR) -> Path:
    """An HTML page (plotly) of wrong answers grouped by misconception; data beside it as JSON."""
    import plotly.graph_objects as go

    root = Path(course_root)
    out = Path(out or root / "reports" / "misconceptions.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = misconception_data(root, quizzes, keys_dir)
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, sort_keys=True))
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Gut Feelings — misconception report</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.25rem .6rem}"
             "th{background:#f0f0f0}.ok{color:#006400}</style></head><body>",
             "<h1>Misconception report</h1>",
             "<p>For every choice item: how many students chose each wrong option, grouped by the "
             "misconception that option reveals (the same tags as the lessons' self-checks). "
             "Answers are read from the submitted notebooks.</p>"]
    first = True
    for quiz, q in data["quizzes"].items():
        parts.append(f"<h2>{html.escape(quiz)} — {q['students']} submission(s)</h2>")
        fig = go.Figure()
        for i, item in enumerate(q["items"]):
            wrong = [o for o in item["options"] if not o["correct"]]
            fig.add_bar(name=f"{item['item']}", x=[o["tag"] for o in wrong], y=[o["count"] for o in wrong],
                        text=[f"option {o['option']!r}" for o in wrong], marker_color=palette[i % len(palette)],
                        hovertemplate="%{x}<br>%{text}: %{y} student(s)<extra>" + item["item"] + "</extra>")
        fig.update_layout(barmode="stack", title=f"{quiz}: wrong answers by misconception",
                          xaxis_title="misconception tag", yaxis_title="students (count)",
                          template="simple_white", height=420)
        parts.append(fig.to_html(full_html=False, include_plotlyjs=True if first else False,
                                 div_id=f"fig-{quiz}"))
        first = False
        parts.append("<table><tr><th>misconception</th><th>students</th><th>meaning</th></tr>")
        for tag, n in q["by_tag"].items():
            parts.append(f"<tr><td>{html.escape(tag)}</td><td>{n}</td>"
                         f"<td>{html.escape(data['tags'].get(tag, ''))}</td></tr>")
        parts.append("</table>")
        for item in q["items"]:
            parts.append(f"<h3>{html.escape(item['item'])} (<code>{html.escape(item['variable'])}</code>)</h3>")
            parts.append("<table><tr><th>option</th><th>students</th><th>misconception</th></tr>")
            for o in item["options"]:
                label = "<span class='ok'>right answer</span>" if o["correct"] else html.escape(o["tag"] or "")
                parts.append(f"<tr><td>{html.escape(repr(o['option']))}</td><td>{o['count']}</td><td>{label}</td></tr>")
            for k, n in item["other"].items():
                parts.append(f"<tr><td>{html.escape(k)}</td><td>{n}</td><td></td></tr>")
            parts.append("</table>")
    if not data["quizzes"]:
        parts.append("<p>No quiz has a key in assets/quiz_misconceptions/ yet.</p>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


# ---------------------------------------------------------------- grades

def export_csv(course_root: Path, out: Path | None = None) -> Path:
    """One row per student: per-quiz score, maximum and status, and the total."""
    from nbgrader.api import Gradebook, MissingEntry

    root = Path(course_root)
    out = Path(out or root / "reports" / "grades.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = load_summary(root)
    rows: dict[str, dict] = {}
    with quiet_nbgrader(), gradebook(root) as gb:
        quizzes = sorted(a.name for a in gb.assignments)
        maxima = {a.name: float(a.max_score) for a in gb.assignments}
        for st in gb.students:
            rows[st.id] = {"student_id": st.id, "last_name": st.last_name or "", "first_name": st.first_name or ""}
        for quiz in quizzes:
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
        row["total"] = f"{sum(float(row[q]) for q in quizzes if row.get(q) not in ('', None)):g}"
        row["total_max"] = f"{sum(maxima.values()):g}"
    fields = ["student_id", "last_name", "first_name"]
    for quiz in quizzes:
        fields += [quiz, f"{quiz}_max", f"{quiz}_status", f"{quiz}_flags"]
    fields += ["total", "total_max"]
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    return out
