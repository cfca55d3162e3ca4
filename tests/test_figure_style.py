"""The shared figure layout: titles that fit a 570 px notebook and stay inside the figure."""
from gutbrain.figures.style import TITLE_LINE_CHARS, base_layout, title_height, title_layout, wrap_title


def test_a_short_title_is_left_alone():
    assert wrap_title("Your progress by lesson") == "Your progress by lesson"


def test_a_long_title_breaks_in_two_at_a_clause_not_mid_phrase():
    assert wrap_title("Tryptophan budget of the liver model (Stavrum et al. 2013)") == (
        "Tryptophan budget of the liver model<br>(Stavrum et al. 2013)")
    assert wrap_title("IFN-α: blood tryptophan falls, CSF tryptophan does not") == (
        "IFN-α: blood tryptophan falls,<br>CSF tryptophan does not")


def test_without_a_clause_break_a_title_wraps_by_words_and_keeps_every_word():
    title = "None of the effects JB-1 had in mice appeared in healthy men and women alike today"
    lines = wrap_title(title).split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_LINE_CHARS for line in lines)
    assert " ".join(lines) == title


def test_a_deliberate_break_is_kept():
    assert wrap_title("Same number, different claims:<br>what each source states") == (
        "Same number, different claims:<br>what each source states")


def test_a_two_line_title_gets_a_taller_top_margin_and_a_pad_for_its_first_line():
    one, two = title_layout("Short"), title_layout("Anti-inflammatories beat placebo on average, but the trials disagree")
    assert two["text"].count("<br>") == 1 and two["pad"]["t"] > one["pad"]["t"]
    assert title_height(two["text"]) > title_height(one["text"])
    assert base_layout(two["text"], "alt")["margin"]["t"] >= title_height(two["text"])
    assert one["yanchor"] == "top" and one["yref"] == "container"


def test_every_course_figure_wears_the_course_template():
    """Set once as plotly's default (style.COURSE_TEMPLATE), not named in every layout: each lesson's
    figures, as the browser checks see them, keep the simple_white look."""
    import plotly.io as pio

    from gutbrain.figures import inflammation, serotonin, vagus
    from gutbrain.figures.style import COURSE_TEMPLATE

    course = pio.templates[COURSE_TEMPLATE].to_plotly_json()
    for fig in (serotonin.pathway_figure("liver"), vagus.routes_figure(), inflammation.cytokine_forest()):
        assert fig.layout.template.to_plotly_json() == course
