"""Figures and HTML of the claims ledger (lesson 5). Pure: ledger in, plotly Figure / HTML out."""
from __future__ import annotations

import html
from typing import Iterable, Mapping

import plotly.graph_objects as go

from gutbrain.figures.style import LINK_CSS, OKABE_ITO, READABLE_TEXT_CSS, base_layout, legend_at_foot
from gutbrain.ledger import FLAGS, VERDICTS, Claim, Ledger, scorecards

#: One Okabe–Ito colour per verdict, from green (supported) to grey (not verified).
VERDICT_COLOURS = {
    "supported": OKABE_ITO["green"],
    "supported in animals only": OKABE_ITO["sky"],
    "overstated": OKABE_ITO["yellow"],
    "unsupported": OKABE_ITO["orange"],
    # Black, not vermillion: orange and vermillion are hard to tell apart (and with some colour vision, alike).
    "contradicted by evidence": "#000000",  # Okabe–Ito black
    "no diagnostic validity": OKABE_ITO["purple"],
    "marketing": OKABE_ITO["blue"],
    "not verified": OKABE_ITO["grey"],
}
VERDICT_SYMBOLS = {
    "supported": "circle", "supported in animals only": "circle-open", "overstated": "diamond",
    "unsupported": "x", "contradicted by evidence": "triangle-down", "no diagnostic validity": "square",
    "marketing": "star", "not verified": "circle-dot",
}
#: A second cue besides colour in bar charts (bars have no marker symbol).
VERDICT_PATTERNS = {"unsupported": "/", "contradicted by evidence": "x", "not verified": "."}
_FLAG_NAMES = {"mouse-to-human": "mouse-to-human leaps", "review-as-proof": "reviews or citations as proof",
               "commercial": "commercial ties"}



def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(html.escape(x) for x in lines)


def verdict_bars(ledger: Ledger) -> go.Figure:
    """Stacked horizontal bars: each article's claims by the course's verdict."""
    cards = scorecards(ledger)
    labels = [c.label for c in cards][::-1]
    fig = go.Figure()
    for verdict in VERDICTS:
        counts = [c.by_verdict[verdict] for c in cards][::-1]
        fig.add_trace(go.Bar(
            y=labels, x=counts, name=verdict, orientation="h",
            marker=dict(color=VERDICT_COLOURS[verdict], line=dict(color="#333333", width=0.6),
                        pattern=dict(shape=VERDICT_PATTERNS.get(verdict, ""), fgcolor="#ffffff", size=6)),
            hovertemplate="%{y}: %{x} claim(s) " + html.escape(verdict) + "<extra></extra>"))
    supported = {c.label: c.by_verdict["supported"] for c in cards}
    totals = {c.label: c.claims for c in cards}
    best = max(cards, key=lambda c: c.supported_share)
    alt = ("Stacked bars of each article's claims by verdict. " + "; ".join(
        f"{label}: {supported[label]} of {totals[label]} supported" for label in [c.label for c in cards])
        + f". {best.label} has the largest share of supported claims.")
    fig.update_layout(**base_layout(
        "Few claims in any article are simply supported", alt,
        barmode="stack", height=480,
        xaxis=dict(title="claims in the ledger (count)", dtick=2),
        yaxis=dict(title="article"),
        legend=legend_at_foot(title_text="verdict", traceorder="normal")))
    fig.update_layout(margin=dict(l=100, r=20, b=190))
    return fig


def flag_bars(ledger: Ledger) -> go.Figure:
    """Grouped bars: per article, how many claims leap from mice to people, lean on a review as
    proof, or steer to a product."""
    cards = scorecards(ledger)
    colours = {"mouse-to-human": OKABE_ITO["sky"], "review-as-proof": OKABE_ITO["orange"],
               "commercial": OKABE_ITO["blue"]}
    fig = go.Figure()
    for flag in FLAGS:
        attr = flag.replace("-", "_")
        fig.add_trace(go.Bar(x=[c.label for c in cards], y=[getattr(c, attr) for c in cards],
                             name=_FLAG_NAMES[flag], marker_color=colours[flag],
                             hovertemplate="%{x}: %{y} " + _FLAG_NAMES[flag] + "<extra></extra>"))
    most = max(cards, key=lambda c: c.mouse_to_human)
    alt = ("Grouped bars per article of three warning signs. " + "; ".join(
        f"{c.label}: {c.mouse_to_human} mouse-to-human, {c.review_as_proof} review-as-proof, "
        f"{c.commercial} commercial" for c in cards) + f". {most.label} makes the most mouse-to-human leaps.")
    fig.update_layout(**base_layout(
        "Warning signs differ: mouse results, reviews as proof, sales", alt, barmode="group", height=400,
        yaxis=dict(title="claims (count)", dtick=1), xaxis=dict(title="article"),
        legend=legend_at_foot()))
    fig.update_layout(margin=dict(l=70, r=20, b=150))
    return fig


def contradiction_map(ledger: Ledger) -> go.Figure:
    """One row per disagreement between articles; a marker per article's claim, coloured by the
    course's verdict, joined by a line. Hover shows the quote."""
    letters = sorted(ledger.articles)
    labels = {letter: ledger.articles[letter]["label"] for letter in letters}
    position = {letter: i for i, letter in enumerate(letters)}
    rows = [g.title or g.id for g in ledger.contradictions]
    fig = go.Figure()
    shown: set[str] = set()
    for g, row in zip(ledger.contradictions, rows):
        claims = [ledger.claim(i) for i in g.claims]
        xs = []
        for c in claims:  # two claims of one article in one row sit side by side
            same = [d for d in claims if d.article == c.article]
            offset = (same.index(c) - (len(same) - 1) / 2) * 0.22
            xs.append(position[c.article] + offset)
        fig.add_trace(go.Scatter(x=[min(xs), max(xs)], y=[row, row], mode="lines", showlegend=False,
                                 hoverinfo="skip", line=dict(color="#555555", width=1.5, dash="dot")))
        for c, x in zip(claims, xs):
            fig.add_trace(go.Scatter(
                x=[x], y=[row], mode="markers", name=c.verdict,
                legendgroup=c.verdict, showlegend=c.verdict not in shown,
                marker=dict(size=16, color=VERDICT_COLOURS[c.verdict], symbol=VERDICT_SYMBOLS[c.verdict],
                            line=dict(color="#222222", width=1.2)),
                hovertemplate=(f"<b>{html.escape(labels[c.article])}</b>: “{_wrap(c.quote)}”<br>"
                               f"course verdict: {html.escape(c.verdict)}<extra></extra>")))
            shown.add(c.verdict)
    alt = "Where the articles disagree. " + " ".join(
        f"{g.title}: " + ", ".join(f"{labels[ledger.claim(i).article]} ({ledger.claim(i).verdict})"
                                   for i in g.claims) + "." for g in ledger.contradictions)
    fig.update_layout(**base_layout(
        "The articles disagree on numbers and on what gut serotonin does", alt, height=560,
        xaxis=dict(title="article (label A–E)", tickvals=list(range(len(letters))), ticktext=[labels[x].removeprefix("Article ") for x in letters],
                   range=[-0.4, len(letters) - 0.6], showgrid=True, zeroline=False),
        yaxis=dict(title="disagreement", categoryorder="array", categoryarray=rows[::-1], automargin=True,
                   tickfont=dict(size=12)),
        legend=legend_at_foot(title_text="course verdict")))
    fig.update_layout(margin=dict(l=20, r=20, b=190))
    # The row titles are questions; wrap them so they fit at notebook width.
    fig.update_yaxes(ticktext=[_wrap(r, 34) for r in rows], tickvals=rows)
    return fig


# --------------------------------------------------------------------------- HTML
def _ref_line(key: str, refs: Mapping[str, Mapping]) -> str:
    entry = refs.get(key, {})
    who = entry.get("authors", key).split(",")[0]
    return f"{html.escape(who)} {html.escape(str(entry.get('year', '')))}"


def claim_card_html(claim: Claim, ledger: Ledger, refs: Mapping[str, Mapping], *, open_: bool = False,
                    titles: Mapping[str, str] | None = None, hidden: frozenset[str] | set[str] = frozenset()) -> str:
    """A collapsible card: quote, verdict, evidence (tier), explanation, the lesson that teaches it
    (a link named by ``titles[slug]``, e.g. "Lesson 3: Psychobiotics", never the raw file id).
    Linked claims whose id is in ``hidden`` are quoted without their verdict (not yet judged by the learner)."""
    art = ledger.articles[claim.article]
    colour = VERDICT_COLOURS[claim.verdict]
    evidence = "".join(
        f"<li><b>[{html.escape(e.key)}]</b> {_ref_line(e.key, refs)} <i>({html.escape(e.tier)})</i>"
        + (f": “{html.escape(e.says)}”" if e.says else "") + "</li>" for e in claim.evidence
    ) or "<li>No study the course read supports it (see the explanation).</li>"
    linked = ledger.linked(claim.id)
    links = "".join(
        f"<li>{html.escape(ledger.articles[c.article]['label'])}: “{html.escape(c.quote)}” "
        + ("(verdict shown once you have judged it in “Judge it yourself”)" if c.id in hidden
           else f"({html.escape(c.verdict)})") + "</li>" for c in linked)
    why = (f"<p><b>What could not be verified:</b> {html.escape(claim.why_not_verified)}</p>"
           if claim.why_not_verified else "")
    title = (titles or {}).get(claim.lesson) or lesson_name(claim.lesson)
    lesson = (f'<a href="{html.escape(claim.lesson)}.ipynb" style="{LINK_CSS}">{html.escape(title)}</a>'
              + (f", section “{html.escape(claim.section)}”" if claim.section else ""))
    flags = ", ".join(FLAGS[f] for f in claim.flags)
    return (
        f'<details class="gutbrain-claim" {"open" if open_ else ""} '
        f'style="border-left:6px solid {colour};padding:2px 8px;margin:4px 0;background:#fafafa">'
        f"<summary><b>{html.escape(art['label'])}</b>: “{html.escape(claim.quote)}” "
        f'<span style="white-space:nowrap">— <b>{html.escape(claim.verdict)}</b></span></summary>'
        f"<p>{html.escape(claim.explanation)}</p>{why}"
        f"<p><b>Evidence</b> (tier in italics):</p><ul>{evidence}</ul>"
        + (f"<p><b>Warning signs:</b> {html.escape(flags)}</p>" if flags else "")
        + (f"<p><b>Other articles say:</b></p><ul>{links}</ul>" if links else "")
        + f"<p><b>Taught in:</b> {lesson}</p></details>"
    )


def lesson_name(slug: str) -> str:
    """'03_psychobiotics' -> 'Lesson 3: Psychobiotics' (when no title from the lesson itself is given)."""
    number, _, rest = slug.partition("_")
    return f"Lesson {int(number)}: {rest.replace('_', ' ').capitalize()}" if number.isdigit() else slug


def claims_list_html(claims: Iterable[Claim], ledger: Ledger, refs: Mapping[str, Mapping], *,
                     held_back: int = 0, titles: Mapping[str, str] | None = None,
                     hidden: frozenset[str] | set[str] = frozenset()) -> str:
    """The matching claims as cards. ``held_back`` claims match too but are not shown (their verdicts
    would give away "Judge it yourself"); the status line says so."""
    claims = list(claims)
    note = (f" {held_back} more match but are held back for “Judge it yourself” below: each appears here"
            " once you have judged it." if held_back else "")
    if not claims:
        return (f'<p role="status" style="{READABLE_TEXT_CSS}">No claim matches these filters. '
                "Choose “any” for one of them."
                f"{html.escape(note)}</p>")
    cards = "".join(claim_card_html(c, ledger, refs, titles=titles, hidden=hidden) for c in claims)
    return (f'<p role="status" style="{READABLE_TEXT_CSS}"><b>{len(claims)}</b> claim(s) match. '
            "Open one to see its evidence."
            f"{html.escape(note)}</p>"
            f'<div class="gutbrain-ledger">{cards}</div>')


def scorecard_html(ledger: Ledger) -> str:
    """A table with one column per article and one row per measure (claims by verdict, warning signs),
    so that it fits a narrow notebook: six columns, however many verdicts the scale has."""
    cards = scorecards(ledger)
    head = "".join(f'<th scope="col">{html.escape(c.label)}</th>' for c in cards)

    def row(name: str, values: list[str], *, small: bool = False, words: bool = False) -> str:
        # JupyterLab right-aligns table cells: right for counts, but words read from the left.
        td = '<td style="text-align:left">' if words else "<td>"
        cells = "".join(f"{td}{'<small>' + v + '</small>' if small else v}</td>" for v in values)
        return f'<tr><th scope="row" style="text-align:left">{html.escape(name)}</th>{cells}</tr>'

    rows = [row("publisher", [html.escape(ledger.articles[c.article]["publisher_kind"]) for c in cards], small=True,
                words=True),
            row("claims in the ledger", [str(c.claims) for c in cards])]
    rows += [row(f"verdict: {v}", [str(c.by_verdict[v]) for c in cards]) for v in VERDICTS]
    rows += [row("mouse-to-human leaps", [str(c.mouse_to_human) for c in cards]),
             row("reviews or citations as proof", [str(c.review_as_proof) for c in cards]),
             row("commercial-tie claims", [str(c.commercial) for c in cards]),
             row("sells a product or test", ["yes" if c.steers_to_product else "no" for c in cards], words=True)]
    return (
        '<div class="gutbrain-scorecard-wrap" role="region" aria-label="Scorecard table" tabindex="0">'
        '<table class="gutbrain-scorecard" style="font-size:13px;width:100%;max-width:100%;'
        'table-layout:fixed;border-collapse:collapse;overflow-wrap:anywhere">'
        '<colgroup><col style="width:28%">' + '<col>' * len(cards) + "</colgroup>"
        "<caption>Scorecard: for each article (columns), its claims in the ledger by verdict, and its warning "
        "signs</caption>"
        f'<thead><tr><th scope="col">measure</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>")


def contradictions_html(ledger: Ledger) -> str:
    items = []
    for g in ledger.contradictions:
        quotes = "".join(
            f"<li><b>{html.escape(ledger.articles[c.article]['label'])}</b>: “{html.escape(c.quote)}” "
            f"— <i>{html.escape(c.verdict)}</i></li>" for c in (ledger.claim(i) for i in g.claims))
        items.append(f"<li><b>{html.escape(g.title or g.id)}</b> {html.escape(g.summary)}<ul>{quotes}</ul></li>")
    return f'<ol class="gutbrain-contradictions">{"".join(items)}</ol>'
