"""The site's pure parts: precomputed figures, static self-checks, launch links (no browser)."""
from __future__ import annotations

import json
import re
import shutil

import plotly.graph_objects as go
import pytest

from gutbrain.site import build as site_build
from gutbrain.site.display import selfcheck_html, snapshot_html
from gutbrain.site.static import PRECOMPUTED, grid, payloads, precompute, static_html, still


def _line(slope: float) -> go.Figure:
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 0], name="baseline"),
                     go.Scatter(x=[0, 1], y=[0, slope], name="line")])
    fig.update_layout(title=f"Slope {slope}", meta={"alt_text": f"A line of slope {slope}."}, width=700)
    return fig


def test_precompute_merges_steps_and_stores_shared_traces_once():
    fig = precompute(_line, [("one", 1), ("two", 2), ("three", 3)], control="Slope", default=2)
    assert len(fig.figure["data"]) == 4  # the baseline once, one line per step
    assert [s.visible for s in fig.steps] == [[True, True, False, False], [True, False, True, False],
                                              [True, False, False, True]]
    assert fig.default == 1 and fig.alt == "A line of slope 2."
    assert set(fig.steps[0].layout) == {"title", "meta"}  # only what changes travels per step
    assert "width" not in fig.figure["layout"] and fig.figure["layout"]["autosize"] is True
    assert [t["visible"] for t in fig.figure["data"]] == fig.steps[1].visible


def test_precompute_refuses_a_default_it_did_not_compute():
    with pytest.raises(ValueError, match="not one of the precomputed steps"):
        precompute(_line, [("one", 1)], control="Slope", default=5)
    with pytest.raises(ValueError, match="kind"):
        precompute(_line, [("one", 1)], control="Slope", default=1, kind="dial")


def test_static_html_has_a_labelled_control_and_safe_data():
    fig = precompute(_line, [("one", 1), ("two </script>", 2)], control="Slope <b>", default=1,
                     launch_adds="Launch to choose any slope.")
    page = static_html(fig)
    assert PRECOMPUTED in page and "Launch to choose any slope." in page
    assert re.search(r'<label for="(gb-\w+)-in">Slope &lt;b&gt;</label><input type="range" id="\1-in"', page)
    payload = page.split('class="gutbrain-static-data">', 1)[1].rsplit("</script>", 1)[0]
    assert "</script" not in payload and json.loads(payload)["steps"][1]["label"] == "two </script>"
    assert [p["steps"][1]["label"] for p in payloads(page + page)] == ["two </script>"] * 2
    radios = static_html(precompute(_line, [("one", 1), ("two", 2)], control="Slope", default=2, kind="choice"))
    assert radios.count('type="radio"') == 2 and "<legend>Slope</legend>" in radios
    assert PRECOMPUTED not in static_html(still(_line(1)))


def test_grid_includes_the_default():
    assert grid(0.0, 2.0, 3, include=[0.54]) == [0.0, 0.54, 1.0, 2.0]
    assert grid(1.0, 100.0, 3, log=True) == [1.0, 10.0, 100.0]


def test_every_lesson_explorer_has_a_static_figure():
    """Each interactive diagram a lesson shows precomputes its main control for the site."""
    from gutbrain.widgets import inflammation, kynurenine, psychobiotics, serotonin, tryptophan, vagus

    explorers = [serotonin.PathwayExplorer, serotonin.MicrobiomeExplorer, vagus.FibreExplorer,
                 vagus.TravelTimeExplorer, vagus.RoutesExplorer, vagus.TranslationExplorer,
                 psychobiotics.MetaAnalysisLab, psychobiotics.FunnelExplorer, psychobiotics.MetaForest,
                 psychobiotics.EffectSizeExplorer, inflammation.BloodBrainExplorer,
                 inflammation.EffectSizeExplorer, kynurenine.ImmuneActivationExplorer, tryptophan.TryptophanExplorer]
    for cls in explorers:
        fig = cls().static_figure()
        assert len(fig.steps) >= 2, cls.__name__
        assert all(s.alt for s in fig.steps), f"{cls.__name__}: a step without a text alternative"
        assert len({json.dumps([s.visible, s.layout, s.caption], sort_keys=True) for s in fig.steps}) == len(fig.steps), \
            f"{cls.__name__}: two precomputed steps draw the same figure"


def test_selfcheck_on_the_site_reveals_answer_feedback_and_explanation():
    from gutbrain.selfcheck import question

    q = question("01_serotonin_synthesis", "pathway-order")
    page = selfcheck_html(q)
    right = next(o for o in q.options if o.get("correct"))
    answer = page.split("<summary>Show the answer</summary>", 1)[1]
    assert right["text"].replace("→", "→") in answer and q.explanation.split(" (")[0] in answer
    for option in q.options:
        assert option["feedback"].split(":")[0] in answer
    assert "not recorded" in page


def test_snapshot_keeps_text_and_figures_and_says_controls_need_the_live_course():
    import ipywidgets as w

    box = w.VBox([w.HTML("<p>hello</p>"), w.Button(description="Go"), go.FigureWidget(_line(1))])
    page = snapshot_html(box)
    assert "<p>hello</p>" in page and "data-gb-static" in page and "needs the live course" in page
    assert "widget-view" not in page


def test_a_figure_without_controls_is_not_said_to_have_controls_left_out():
    """figure_with_text adds the invisible FitFigures (it sizes figures in the live course): not a control."""
    from gutbrain.widgets.responsive import figure_with_text

    fig = _line(1)
    fig.update_layout(meta=dict(alt_text="A line that rises from one to two, for the test."))
    page = snapshot_html(figure_with_text(fig))
    assert "data-gb-static" in page and "A line that rises" in page
    assert "needs the live course" not in page


def test_launch_links_use_the_readmes_binder_repository_and_ref():
    readme = "[binder]: https://mybinder.org/v2/gh/org/course/v1.2?urlpath=lab/tree/lessons/00_start_here.ipynb\n"
    base, repo, ref = site_build.binder_base(readme)
    assert (base, repo, ref) == ("https://mybinder.org/v2/gh/org/course/v1.2", "org/course", "v1.2")
    box = site_build.launch_html("03_psychobiotics.ipynb", readme)
    assert "https://mybinder.org/v2/gh/org/course/v1.2?urlpath=lab/tree/lessons/03_psychobiotics.ipynb" in box
    assert "make lab" in box and "github.com/org/course.git" in box
    with pytest.raises(ValueError, match="binder"):
        site_build.binder_base("no link here")


def test_lesson_links_lead_to_pages(tmp_path):
    page = tmp_path / "lessons" / "a.html"
    page.parent.mkdir()
    page.write_text('<a href="01_serotonin_synthesis.ipynb#x">1</a> <a href="lessons/02_vagus_nerve.ipynb">2</a>'
                    ' <a href="https://example.org/03_x.ipynb">3</a>')
    assert site_build.link_lesson_pages(tmp_path) == 1
    assert page.read_text() == ('<a href="01_serotonin_synthesis.html#x">1</a> <a href="lessons/02_vagus_nerve.html">2</a>'
                                ' <a href="https://example.org/03_x.ipynb">3</a>')


def test_landing_page_has_the_course_map_lesson_table_and_note():
    page = site_build.index_page((site_build.REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert "gutbrain-course-map" in page and 'href="lessons/01_serotonin_synthesis.ipynb"' in page
    assert "| [03](lessons/03_psychobiotics.ipynb) |" in page
    assert "Education, not medical advice" in page


def test_the_search_field_is_named_by_what_it_shows_and_the_icon_keeps_its_label():
    from gutbrain.site.build import name_search_buttons

    field = ('<button class="btn search-button-field search-button__button pst-js-only" title="Search" '
             'aria-label="Search" data-bs-toggle="tooltip"><i class="fa-solid fa-magnifying-glass"></i>'
             '<span class="search-button__default-text">Search</span><span class="search-button__kbd-shortcut">'
             '<kbd class="kbd-shortcut__modifier">Ctrl</kbd>+<kbd>K</kbd></span></button>')
    icon = ('<button class="btn btn-sm pst-navbar-icon search-button search-button__button pst-js-only" '
            'title="Search" aria-label="Search" data-bs-toggle="tooltip"><i class="fa-solid fa-magnifying-glass"></i></button>')
    assert 'aria-label' not in name_search_buttons(field) and "Ctrl</kbd>" in name_search_buttons(field)
    assert name_search_buttons(icon) == icon


def test_the_site_serves_plotlys_cartesian_bundle_of_the_wheels_version():
    from gutbrain.site import plotly_js

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the site falls back to the full bundle (test below)")
    served = plotly_js.site_plotly_js()
    assert served == plotly_js.PARTIAL
    assert plotly_js.bundle_version(served) == plotly_js.bundle_version(plotly_js.wheel_bundle()) is not None
    assert served.stat().st_size < plotly_js.wheel_bundle().stat().st_size / 2
    assert {"scatter", "bar", "heatmap"} <= plotly_js.bundle_trace_types(served)


def test_a_page_drawing_a_trace_type_the_bundle_lacks_gets_the_full_bundle(tmp_path):
    from gutbrain.site import plotly_js

    (tmp_path / "_static").mkdir()
    served = tmp_path / "_static" / "plotly.min.js"
    served.write_text('/* plotly.js (cartesian) v4.1.1 */ x={moduleType:"trace",name:"scatter"}')
    (tmp_path / "a.html").write_text(static_html(still(_line(1))))
    messages = []
    assert plotly_js.cover_every_trace_type(tmp_path, messages.append) == set()
    assert served.stat().st_size < 100 and not messages
    sankey = go.Figure(go.Sankey(node={"label": ["gut", "brain"]}, link={"source": [0], "target": [1], "value": [1]}))
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "b.html").write_text(static_html(still(sankey)))
    assert plotly_js.cover_every_trace_type(tmp_path, messages.append) == {"sankey"}
    assert served.read_bytes() == plotly_js.wheel_bundle().read_bytes()
    assert "sankey" in messages[0] and "full bundle" in messages[0]


def test_without_npm_the_site_says_it_uses_the_full_bundle(monkeypatch, tmp_path):
    from gutbrain.site import plotly_js

    from gutbrain.site import npm

    monkeypatch.setattr(npm, "MODULES", tmp_path)  # nothing installed, and no npm to install it
    monkeypatch.setattr(npm.shutil, "which", lambda _name: None)
    monkeypatch.setattr(plotly_js, "PARTIAL", tmp_path / "absent.js")
    messages = []
    assert plotly_js.site_plotly_js(messages.append) == plotly_js.wheel_bundle()
    assert "npm is not installed" in messages[0] and "full bundle" in messages[0]


def test_the_theme_icons_come_from_fontawesome_css_of_the_themes_version(tmp_path):
    from gutbrain.site import icons, npm

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the pages keep the theme's script (test below)")
    page = ('<head><script defer src="../_static/scripts/fontawesome.js?digest=90905a"></script></head>'
            '<body><i class="fa-solid fa-bars"></i></body>')
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "a.html").write_text(page)
    (tmp_path / "_static" / "scripts").mkdir(parents=True)
    (tmp_path / "_static" / "scripts" / "fontawesome.js").write_text("/* 1.56 MB */")
    assert icons.use_webfont(tmp_path) == 1
    out = (tmp_path / "lessons" / "a.html").read_text()
    assert "fontawesome.js" not in out and '<i class="fa-solid fa-bars"></i>' in out
    assert '<link rel="stylesheet" href="../_static/fontawesome/css/solid.min.css" />' in out
    assert (tmp_path / "_static" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").stat().st_size > 10_000
    assert not (tmp_path / "_static" / "scripts" / "fontawesome.js").exists()
    assert npm.installed_version(icons.PACKAGE) == icons.theme_version() is not None


def test_without_npm_the_pages_keep_the_themes_icon_script(monkeypatch, tmp_path):
    from gutbrain.site import icons, npm

    monkeypatch.setattr(npm, "MODULES", tmp_path / "none")
    monkeypatch.setattr(npm.shutil, "which", lambda _name: None)
    page = '<script defer src="_static/scripts/fontawesome.js?digest=1"></script>'
    (tmp_path / "index.html").write_text(page)
    messages = []
    assert icons.use_webfont(tmp_path, messages.append) == 0
    assert (tmp_path / "index.html").read_text() == page
    assert "npm is not installed" in messages[0]
