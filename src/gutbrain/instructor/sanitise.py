"""What of a student's work may be shown: plain capped text outputs, sanitised markdown, and
text safe to print on the instructor's terminal."""
from __future__ import annotations

import re

import nbformat

OUTPUT_CHARS = 20_000          # one output
NOTEBOOK_OUTPUT_CHARS = 400_000  # all outputs of one autograded notebook


def _cap(text: str, limit: int = OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... output truncated by the grader ({len(text):,} characters in all) ...\n"


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def safe_outputs(outputs, budget: list[int]) -> list:
    """Outputs as plain text only (streams, errors, text/plain), capped: nothing to render as HTML."""
    safe = []
    for out in outputs if isinstance(outputs, list) else []:
        if not isinstance(out, dict) or budget[0] <= 0:
            continue
        kind = out.get("output_type")
        if kind == "stream":
            text = _cap(_text(out.get("text")))
            new = nbformat.v4.new_output("stream", name="stderr" if out.get("name") == "stderr" else "stdout",
                                         text=text)
        elif kind == "error":
            tb = [_cap(_text(t), 4000) for t in (out.get("traceback") or [])[:60] if isinstance(t, str)]
            new = nbformat.v4.new_output("error", ename=_cap(_text(out.get("ename")), 200),
                                         evalue=_cap(_text(out.get("evalue")), 4000), traceback=tb)
            text = "".join(tb)
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") if isinstance(out.get("data"), dict) else {}
            text = _cap(_text(data.get("text/plain", "")))
            if not text:
                continue
            new = nbformat.v4.new_output("display_data", data={"text/plain": text})
        else:
            continue
        budget[0] -= len(text)
        safe.append(new)
    if budget[0] <= 0 and safe:
        safe.append(nbformat.v4.new_output("stream", name="stdout",
                                           text="... further output removed by the grader ...\n"))
    return safe


#: tags a rendered student answer may keep (no images, media, forms, frames, styles or scripts)
MARKDOWN_TAGS = {"a", "b", "i", "em", "strong", "code", "pre", "p", "br", "hr", "ul", "ol", "li", "sub", "sup",
                 "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "td", "th", "del"}
#: the only URL schemes a link in a student's answer may have (relative links carry no scheme)
URL_SCHEMES = {"http", "https", "mailto"}


def _markdown():
    import mistune

    class _TextImages(mistune.HTMLRenderer):
        """An image is shown as its text and address, never loaded (no remote resource on open)."""

        def image(self, text, url, title=None):
            return mistune.escape(f"[image: {text} ({url})]")

    return mistune.create_markdown(escape=True, renderer=_TextImages(escape=True), plugins=["table", "strikethrough"])


def sanitize_markdown(text: str) -> str:
    """A student's markdown as sanitised HTML: their own HTML shown as text, links only to
    http(s)/mailto (no ``javascript:``, ``data:``...), no images or other remote resources.

    The result is the cell's new source: formgrader and the feedback page render it as it is.
    """
    import nh3
    rendered = _markdown()(str(text))
    return nh3.clean(rendered, tags=MARKDOWN_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow", strip_comments=True)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text) -> str:
    """``text`` without escape sequences or other control characters (newlines and tabs kept),
    for anything printed to the instructor's terminal that a student can influence."""
    return _CONTROL.sub("\ufffd", str(text))
