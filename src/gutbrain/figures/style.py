"""One look for every course figure: colour-blind-safe colours (Okabe–Ito), readable fonts."""
import html

import plotly.graph_objects as go

#: Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999",
}
FATE_COLOURS = {
    "serotonin": OKABE_ITO["blue"], "kynurenine": OKABE_ITO["vermillion"],
    "protein": OKABE_ITO["green"], "other": OKABE_ITO["grey"],
}


def base_layout(title: str, alt_text: str, **extra) -> dict:
    """Layout shared by all figures. ``alt_text`` is the figure's text alternative; the
    widgets show it beside the plot and it is kept in layout.meta for tests and exports."""
    return dict(
        title=dict(text=title, x=0.0, xanchor="left"),
        # No width: a figure is as wide as the notebook it is in (gutbrain.widgets.responsive).
        autosize=True,
        template="simple_white",
        font=dict(size=14),
        meta=dict(alt_text=alt_text),
        margin=dict(l=70, r=20, t=60, b=60),
        **extra,
    )


def alt_text(fig: go.Figure) -> str:
    return (fig.layout.meta or {}).get("alt_text", "")


#: Text beside a figure (its text alternative, a status line, a self-check's explanation) at the
#: notebook's reading size. A widget's HTML otherwise inherits ipywidgets' 13 px and a 28 px line
#: height meant for one-line controls, so a paragraph reads small and double-spaced.
READABLE_TEXT_CSS = "font-size:var(--jp-content-font-size1,14px);line-height:1.5"


def text_alternative_html(text: str, **attributes: str) -> str:
    """A figure's text alternative as a readable paragraph (``attributes``: e.g. role, aria-live)."""
    extra = "".join(f' {name.replace("_", "-")}="{html.escape(value)}"' for name, value in attributes.items())
    return (f'<p class="gutbrain-alt-text"{extra} style="{READABLE_TEXT_CSS};margin:6px 0">'
            f"{html.escape(text)}</p>")
