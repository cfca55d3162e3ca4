"""One look for every course figure: colour-blind-safe colours (Okabe–Ito), readable fonts."""
import html

import plotly.graph_objects as go
import plotly.io as pio

#: The course's plotly template, plotly's default wherever the course's figures are built. A
#: figure takes the default template as it is made, without validating it; named in every layout
#: instead, plotly deep-copied and validated it for each figure (about 14 ms, a quarter of
#: building the site's precomputed views).
COURSE_TEMPLATE = "simple_white"
pio.templates.default = COURSE_TEMPLATE

#: Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999",
}
FATE_COLOURS = {
    "serotonin": OKABE_ITO["blue"], "kynurenine": OKABE_ITO["vermillion"],
    "protein": OKABE_ITO["green"], "other": OKABE_ITO["grey"],
}


#: Characters of a title line that fit a 570 px notebook (490 px of output) at TITLE_FONT_PX.
TITLE_LINE_CHARS = 50
TITLE_FONT_PX = 16
#: Height of one title line, and the room a title leaves above the plot or a legend under it.
TITLE_LINE_PX = 22
TITLE_PAD_PX = 10


def wrap_text(text: str, width: int) -> str:
    """Text broken into lines of at most ``width`` characters with ``<br>`` (plotly does not wrap);
    line breaks already in it are kept."""
    import textwrap

    lines = [part for line in text.split("<br>") for part in (textwrap.wrap(line, width) or [line])]
    return "<br>".join(lines)


#: Where a title reads well broken in two: after these (a line break replaces the space).
_TITLE_BREAKS = ("; ", ": ", ", ", " (", " – ", " — ")


def wrap_title(text: str) -> str:
    """A title broken into lines that fit a 570 px notebook: in two at a clause break ("; ", ": ",
    ", ", before " (") if both halves fit, the most even such split; otherwise word by word."""
    if "<br>" in text or len(text) <= TITLE_LINE_CHARS:
        return wrap_text(text, TITLE_LINE_CHARS)
    splits = []
    for mark in _TITLE_BREAKS:
        start = text.find(mark)
        while start != -1:
            cut = start if mark.startswith(" ") else start + len(mark) - 1
            head, tail = text[:cut].rstrip(), text[cut:].strip()
            if len(head) <= TITLE_LINE_CHARS and len(tail) <= TITLE_LINE_CHARS:
                splits.append((abs(len(head) - len(tail)), f"{head}<br>{tail}"))
            start = text.find(mark, start + 1)
    return min(splits)[1] if splits else wrap_text(text, TITLE_LINE_CHARS)


def title_height(title: str) -> int:
    """Pixels from the top of the figure to the bottom of its (wrapped) title."""
    return TITLE_PAD_PX + TITLE_LINE_PX * (title.count("<br>") + 1) + 6


def title_layout(text: str) -> dict:
    """The title's text, wrapped, and its place: pinned to the top of the figure. (With yanchor "top"
    plotly puts a multi-line title's last line where a one-line title would be and stacks the others
    above it, off the figure: the pad grows with the lines to keep them all inside.)"""
    text = wrap_title(text)
    return dict(text=text, x=0.0, xanchor="left", xref="container", yref="container", y=1.0, yanchor="top",
                pad=dict(t=TITLE_PAD_PX + TITLE_LINE_PX * text.count("<br>"), l=4), font=dict(size=TITLE_FONT_PX))


def base_layout(title: str, alt_text: str, **extra) -> dict:
    """Layout shared by all figures. ``alt_text`` is the figure's text alternative; the
    widgets show it beside the plot and it is kept in layout.meta for tests and exports.

    The title is wrapped to fit a 570 px notebook and pinned to the top of the figure, so
    whatever sits in the top margin under it (a legend) can be placed below ``title_height``."""
    title = wrap_title(title)
    return dict(
        title=title_layout(title),
        # No width: a figure is as wide as the notebook it is in (gutbrain.widgets.responsive).
        autosize=True,
        font=dict(size=14),
        meta=dict(alt_text=alt_text),
        margin=dict(l=70, r=20, t=max(60, title_height(title) + 14), b=60),
        **extra,
    )


def alt_text(fig: go.Figure) -> str:
    return (fig.layout.meta or {}).get("alt_text", "")


#: Text beside a figure (its text alternative, a status line, a self-check's explanation) at the
#: notebook's reading size. A widget's HTML otherwise inherits ipywidgets' 13 px and a 28 px line
#: height meant for one-line controls, so a paragraph reads small and double-spaced.
READABLE_TEXT_CSS = "font-size:var(--jp-content-font-size1,14px);line-height:1.5"
#: A link that looks like one inside widget HTML (JupyterLab gives it the text colour otherwise).
LINK_CSS = "color:var(--jp-content-link-color,#1565c0);text-decoration:underline"


def legend_at_foot(**legend) -> dict:
    """A horizontal legend on the figure's bottom edge (container coordinates), under the x-axis
    title whatever the figure's width: placed in plot coordinates below the axis, it met the tick
    labels or the axis title at some widths. The figure's bottom margin must hold ticks, axis
    title and legend."""
    return dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left", **legend)


def text_alternative_html(text: str, **attributes: str) -> str:
    """A figure's text alternative as a readable paragraph (``attributes``: e.g. role, aria-live)."""
    extra = "".join(f' {name.replace("_", "-")}="{html.escape(value)}"' for name, value in attributes.items())
    return (f'<p class="gutbrain-alt-text"{extra} style="{READABLE_TEXT_CSS};margin:6px 0">'
            f"{html.escape(text)}</p>")
