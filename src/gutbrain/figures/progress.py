"""The course map's progress figure: per lesson, questions attempted, first-try correct and
mastered, out of the lesson's self-checks. Pure: rows in, plotly Figure out."""
from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from gutbrain.figures.style import OKABE_ITO, base_layout, legend_at_foot

SERIES = (
    ("questions", "Self-checks in the lesson", OKABE_ITO["grey"]),
    ("attempted", "Attempted", OKABE_ITO["sky"]),
    ("first_try_correct", "Right first time", OKABE_ITO["orange"]),
    ("mastered", "Mastered (≥ 10 days)", OKABE_ITO["blue"]),
)


def lesson_label(row, width: int = 24) -> str:
    """Lesson label for the y axis, wrapped (plotly does not wrap) so it leaves room for the bars."""
    import textwrap

    return "<br>".join(textwrap.wrap(f"{row.number} · {row.title}", width))


def progress_alt_text(rows: Sequence) -> str:
    if not rows:
        return "No lesson has self-checks yet, so there is no progress to show."
    parts = [f"lesson {r.number} ({r.title}): {r.attempted} of {r.questions} attempted, "
             f"{r.first_try_correct} right first time, {r.mastered} mastered" for r in rows]
    return "Bar chart of your progress by lesson. " + "; ".join(parts) + "."


def progress_figure_data(rows: Sequence) -> dict:
    """Trace data (y labels and x values per series) for building or updating the figure."""
    labels = [lesson_label(r) for r in rows]
    return {"labels": labels, "series": {attr: [getattr(r, attr) for r in rows] for attr, _, _ in SERIES}}


def course_progress_figure(rows: Sequence) -> go.Figure:
    """Grouped horizontal bars, one group per lesson, in course order from the top."""
    data = progress_figure_data(rows)
    fig = go.Figure()
    for attr, name, colour in SERIES:
        fig.add_trace(go.Bar(
            name=name, y=data["labels"], x=data["series"][attr], orientation="h",
            marker_color=colour, hovertemplate=f"%{{y}}<br>{name}: %{{x}}<extra></extra>",
        ))
    most = max((r.questions for r in rows), default=1)
    fig.update_layout(**base_layout(
        "Your progress by lesson", progress_alt_text(rows), barmode="group",
        height=max(340, 190 + 70 * len(rows)),
        # below the plot, from the figure's left edge: plotly wraps a horizontal legend's entries
        # at the figure's width, and there it cannot meet the title
        legend=legend_at_foot(xref="container", font=dict(size=13)),
    ))
    fig.update_layout(margin=dict(l=10, r=20, b=130))
    fig.update_xaxes(title_text="self-check questions (count)", range=[0, max(most, 1) + 0.2],
                     tickformat="d", nticks=8)
    fig.update_yaxes(title_text="lesson", autorange="reversed", automargin=True, tickfont=dict(size=12))
    return fig


def update_progress_figure(fig: go.Figure, rows: Sequence) -> None:
    """Refresh an existing figure (e.g. a FigureWidget) in place; call inside batch_update."""
    data = progress_figure_data(rows)
    for trace, (attr, _, _) in zip(fig.data, SERIES):
        trace.y = data["labels"]
        trace.x = data["series"][attr]
    most = max((r.questions for r in rows), default=1)
    fig.layout.xaxis.range = [0, max(most, 1) + 0.2]
    fig.layout.meta = dict(alt_text=progress_alt_text(rows))
