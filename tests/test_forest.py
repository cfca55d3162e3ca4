"""gutbrain.figures.forest: forest and funnel plots (pure plotly, reused by lessons 3 and 4)."""
from dataclasses import dataclass

import plotly.graph_objects as go
import pytest

from gutbrain.figures import forest
from gutbrain.figures.forest import ForestRow, forest_plot, funnel_plot, update_forest_plot, update_funnel_plot
from gutbrain.figures.style import OKABE_ITO, alt_text

ROWS = [
    {"label": "Trial A 2016", "estimate": -0.5, "ci_low": -1.0, "ci_high": 0.0, "weight": 30, "group": "clinical"},
    {"label": "Trial B 2017", "estimate": 0.1, "ci_low": -0.3, "ci_high": 0.5, "weight": 50, "group": "healthy"},
    {"label": "Trial C 2019", "estimate": -0.2, "ci_low": -0.9, "ci_high": 0.5, "weight": 20, "group": "clinical",
     "note": "change scores"},
]
POOLED = [ForestRow("Random effects", -0.15, -0.45, 0.15, pi_low=-0.9, pi_high=0.6)]


def _fig():
    return forest_plot(ROWS, pooled=POOLED, title="Three trials, one uncertain pooled effect",
                       x_title="SMD (probiotic − placebo)", favours=("favours probiotic", "favours placebo"),
                       group_title="Population")


def test_forest_rows_are_drawn_top_down_with_pooled_diamond_below():
    fig = _fig()
    assert isinstance(fig, go.Figure)
    points = fig.data[forest._POINTS]
    assert list(points.x) == [-0.5, 0.1, -0.2]
    assert points.y[0] > points.y[1] > points.y[2]
    labels = fig.data[forest._LABELS]
    ticks = dict(zip(labels.y, labels.text))
    assert ticks[points.y[0]] == "Trial A 2016" and labels.xaxis == "x3"
    assert fig.layout.yaxis.showticklabels is False  # labels are a text trace, so they can wrap
    dia = fig.data[forest._DIAMONDS]
    assert min(x for x in dia.x if x is not None) == -0.45 and max(x for x in dia.x if x is not None) == 0.15
    assert max(y for y in dia.y if y is not None) < min(points.y)
    pi = [x for x in fig.data[forest._PI].x if x is not None]
    assert pi == [-0.9, 0.6]
    assert fig.layout.shapes[0].x0 == 0.0  # line of no effect


def test_forest_weights_groups_and_value_column():
    fig = _fig()
    points = fig.data[forest._POINTS]
    assert points.marker.size[1] > points.marker.size[0] > points.marker.size[2]  # area follows weight
    assert points.marker.color[0] == points.marker.color[2] != points.marker.color[1]
    assert points.marker.symbol[0] != points.marker.symbol[1]  # colour is never the only cue
    assert set(points.marker.color) <= set(OKABE_ITO.values())
    values = fig.data[forest._VALUES].text
    assert values[0] == "−0.50 [−1.00, 0.00]  30%" and values[-1] == "−0.15 [−0.45, 0.15]"
    legend = [t.name for t in fig.data[forest._LEGEND0:] if t.showlegend]
    assert legend == ["clinical", "healthy"]
    assert "change scores" in points.hovertext[2]


def test_forest_has_title_axis_and_a_text_alternative_listing_every_row():
    fig = _fig()
    assert fig.layout.title.text.startswith("Three trials")
    assert fig.layout.xaxis.title.text == "SMD (probiotic − placebo)"
    text = alt_text(fig)
    assert "3 estimates" in text and "Trial B 2017" in text and "Random effects" in text
    assert "3 of 3 intervals include no effect" in text
    annotations = [a.text for a in fig.layout.annotations]
    assert any("favours probiotic" in a for a in annotations)


def test_rows_may_be_dataclasses_or_objects_and_are_validated():
    @dataclass
    class Trial:
        label: str
        estimate: float
        ci_low: float
        ci_high: float

    fig = forest_plot([Trial("X", 1.2, 0.8, 1.9)], title="t", x_title="ratio", null_value=1.0, log_x=True)
    assert fig.layout.xaxis.type == "log" and fig.layout.shapes[0].x0 == 1.0
    with pytest.raises(ValueError, match="ci_low <= estimate"):
        ForestRow("bad", 1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="lacks"):
        forest.as_forest_row({"label": "no numbers"})
    with pytest.raises(ValueError, match="at most"):
        forest_plot([ForestRow(f"r{i}", 0, -1, 1, group=str(i)) for i in range(7)], title="t", x_title="x")


def test_update_forest_plot_in_place_on_a_figure_widget():
    widget = go.FigureWidget(_fig())
    n_traces = len(widget.data)
    with widget.batch_update():
        update_forest_plot(widget, ROWS[:2], pooled=ForestRow("Fixed effect", -0.1, -0.3, 0.1),
                           title="Two trials")
    assert len(widget.data) == n_traces
    assert list(widget.data[forest._POINTS].x) == [-0.5, 0.1]
    assert widget.layout.title.text == "Two trials"
    assert "Fixed effect" in alt_text(widget) and "Trial C" not in alt_text(widget)
    assert list(widget.data[forest._LABELS].text)[-1] == "<b>Fixed effect</b>"
    assert widget.data[forest._PI].x == ()
    with widget.batch_update():
        update_forest_plot(widget, [{**r, "group": None} for r in ROWS])
    assert not any(t.showlegend for t in widget.data[forest._LEGEND0:])
    assert widget.data[forest._DIAMONDS].x == ()


def test_a_forest_update_is_one_message_and_draws_what_a_new_figure_draws(monkeypatch):
    """One message, so the browser redraws once; and the same traces and layout as the figure
    built afresh from the new rows (other groups, no prediction interval, another height)."""
    widget = go.FigureWidget(_fig())
    sent = []
    for kind in ("restyle", "relayout", "update"):
        monkeypatch.setattr(widget, f"_send_{kind}_msg", lambda *a, kind=kind, **k: sent.append(kind))
    rows = [{**r, "group": "other"} for r in ROWS[:2]]
    pooled = ForestRow("Fixed effect", -0.1, -0.3, 0.1)
    with widget.batch_update():
        update_forest_plot(widget, rows, pooled=pooled, title="Two trials")
    assert sent == ["update"]
    fresh = forest_plot(rows, pooled=pooled, title="Two trials", x_title="SMD (probiotic − placebo)",
                        favours=("favours probiotic", "favours placebo"), group_title="Population")
    for i, (drawn, expected) in enumerate(zip(widget.data, fresh.data)):
        for prop in ("x", "y", "text", "hovertext", "name", "visible", "showlegend"):
            assert drawn[prop] == expected[prop], f"trace {i}: {prop}"
        if expected.type == "scatter":
            for prop in ("size", "color", "symbol"):
                assert drawn.marker[prop] == expected.marker[prop], f"trace {i}: marker.{prop}"
    for path in ("height", "yaxis.range", "yaxis.tickvals", "yaxis.ticktext", "xaxis.range", "title.text"):
        drawn, expected = widget.layout, fresh.layout
        for key in path.split("."):
            drawn, expected = drawn[key], expected[key]
        assert drawn == expected, path
    assert alt_text(widget) == alt_text(fresh)


def test_long_labels_wrap_and_make_rows_taller():
    short = forest_plot(ROWS, title="t", x_title="x")
    long = forest_plot([{**r, "label": r["label"] + " with a much longer description of the population"}
                        for r in ROWS], title="t", x_title="x")
    assert "<br>" in long.data[forest._LABELS].text[0] and long.layout.height > short.layout.height
    assert forest.wrap_label("a b c", width=3) == "a b<br>c"


def test_empty_forest_is_still_a_valid_figure():
    fig = forest_plot([], pooled=None, title="Nothing left", x_title="SMD")
    assert fig.data[forest._POINTS].x == () and "0 estimates" in alt_text(fig)


def test_funnel_plot_marks_left_out_studies_and_draws_egger_line():
    est, se = [-0.6, -0.3, -0.1, 0.0], [0.4, 0.3, 0.15, 0.1]
    fig = funnel_plot(est, se, labels=["a", "b", "c", "d"], pooled=-0.1, title="Small trials lean left",
                      x_title="SMD", excluded=["a"], egger=(-1.5, 0.1))
    kept, out = fig.data[forest._F_KEPT], fig.data[forest._F_EXCLUDED]
    assert list(kept.x) == [-0.3, -0.1, 0.0] and list(out.x) == [-0.6]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # small studies at the bottom
    funnel_x = fig.data[forest._F_FUNNEL].x
    assert funnel_x[1] == -0.1 and funnel_x[0] == pytest.approx(-0.1 - 1.96 * 0.44)
    egger = fig.data[forest._F_EGGER]
    assert egger.x[0] == pytest.approx(0.1) and egger.x[1] == pytest.approx(0.1 - 1.5 * 0.44)
    assert "1 studies left out" in alt_text(fig) or "1 study" in alt_text(fig)
    widget = go.FigureWidget(fig)
    with widget.batch_update():
        update_funnel_plot(widget, est, se, pooled=-0.2, excluded=[], title="All four")
    assert len(widget.data[forest._F_KEPT].x) == 4 and widget.data[forest._F_EXCLUDED].x == ()
    assert widget.data[forest._F_EGGER].x == () and widget.layout.title.text == "All four"
    with pytest.raises(ValueError, match="positive"):
        funnel_plot([0.1], [0.0], title="t", x_title="x")
