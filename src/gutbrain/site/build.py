"""Build the course website: stage the pages, run Sphinx, make lesson links point at pages.

    python -m gutbrain.site [--out site] [--execute cache|force]

Staging (``build/site-src/``): the lessons, each with a hidden first cell that switches the
kernel to the site's display mode (``gutbrain.site.display``) and a "Run this lesson" box under
its title (Binder, from the README's one marked link, and the local command); the landing page
(course map, the README's lesson table, the education note); the references and the claims
ledger as pages of their own. After Sphinx: plotly.js's cartesian bundle and the theme's icons as
FontAwesome's CSS, from the npm registry (``gutbrain.site.plotly_js``, ``gutbrain.site.icons``).
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import nbformat

from gutbrain.data import REPO_ROOT
from gutbrain.progress.store import DATA_DIR_ENV
from gutbrain.site.icons import use_webfont
from gutbrain.site.plotly_js import cover_every_trace_type, site_plotly_js

STAGE = REPO_ROOT / "build" / "site-src"
OUT = REPO_ROOT / "site"
BINDER_LINK = re.compile(r"^\[binder\]:\s*(https://mybinder\.org/v2/gh/(?P<repo>[^/\s]+/[^/\s]+)/(?P<ref>[^?\s]+))\?\S*$",
                         re.M)
EDUCATION_NOTE = ("> **Education, not medical advice.** The course teaches what the research literature "
                  "supports. It does not diagnose or treat anything.")
DISPLAY_CELL = "from gutbrain.site.display import enable\nenable()"


def binder_base(readme: str | None = None) -> tuple[str, str, str]:
    """(binder URL without urlpath, owner/repo, ref) from the README's one marked Binder link."""
    readme = readme if readme is not None else (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    m = BINDER_LINK.search(readme)
    if not m:
        raise ValueError("README.md has no `[binder]: https://mybinder.org/v2/gh/<owner>/<repo>/<ref>?...` link: "
                         "the site's launch buttons are made from it")
    return m.group(1), m.group("repo"), m.group("ref")


def launch_html(notebook: str, readme: str | None = None) -> str:
    """The "Run this lesson" box of a lesson page: Binder (same repository and ref as the README's
    badge) and the local command."""
    base, repo, ref = binder_base(readme)
    url = f"{base}?urlpath={quote(f'lab/tree/lessons/{notebook}', safe='/')}"
    return (
        '<div class="gutbrain-launch"><p><b>Run this lesson.</b> This page shows the lesson with its '
        "diagrams precomputed; to run the models and keep your self-check answers, launch it:</p><ul>"
        f'<li><a class="gutbrain-binder" href="{html.escape(url)}">Launch on Binder</a> '
        f"(a free JupyterLab in your browser, built from {html.escape(repo)} at {html.escape(ref)}; "
        "the first start can take a few minutes);</li>"
        "<li>or on your own computer (Python 3.11 and <code>make</code>): <code>git clone "
        f"https://github.com/{html.escape(repo)}.git gut-feelings &amp;&amp; cd gut-feelings &amp;&amp; make lab</code>, "
        f"then open <code>lessons/{html.escape(notebook)}</code>.</li></ul></div>"
    )


def stage_lesson(src: Path, dest: Path, readme: str) -> None:
    nb = nbformat.read(src, as_version=4)
    hidden = nbformat.v4.new_code_cell(DISPLAY_CELL, metadata={"tags": ["remove-cell"]})
    launch = nbformat.v4.new_markdown_cell(launch_html(src.name, readme))
    first = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    nb.cells[first:first] = [hidden, launch]
    nbformat.write(nb, dest)


def lesson_table(readme: str) -> str:
    """The README's "What the course teaches" table, lesson numbers linked to their pages."""
    m = re.search(r"### What the course teaches\n+((?:\|.*\n)+)", readme)
    if not m:
        raise ValueError("README.md has no '### What the course teaches' table")
    from gutbrain.course import lessons

    pages = {f"{lesson.number:02d}": lesson.slug for lesson in lessons()}
    rows = []
    for line in m.group(1).splitlines():
        cells = line.split("|")
        number = cells[1].strip() if len(cells) > 2 else ""
        if number in pages:
            cells[1] = f" [{number}](lessons/{pages[number]}.ipynb) "
        rows.append("|".join(cells))
    return "\n".join(rows)


def index_page(readme: str) -> str:
    from gutbrain.course import course_map_html, lessons

    course = lessons()
    intro = readme.split("\n## ", 1)[0].split("\n", 1)[1].strip()
    intro = "\n".join(line for line in intro.splitlines() if not line.startswith("> "))
    toc = "\n".join(f"lessons/{lesson.slug}" for lesson in course)
    return f"""# Gut Feelings

{intro.strip()}

{EDUCATION_NOTE}

This website shows every lesson with its diagrams precomputed, so you can read, search and
share it without installing anything. Each lesson page has a button to launch it and run the
models yourself.

## The course map

{'<div class="gutbrain-course-map-wrap">' + _from_root(course_map_html(course)) + '</div>'}

## What the course teaches

{lesson_table(readme)}

The five popular articles the course examines are called **Article A** to **Article E**; the
[claims ledger](ledger.md) lists every checkable claim in them with the course's verdict, and the
[references](references.md) list every source the course cites, with its evidence tier.

```{{toctree}}
:hidden:
:caption: Lessons

{toc}
```

```{{toctree}}
:hidden:
:caption: Evidence

ledger
references
```
"""


def references_page() -> str:
    from gutbrain.course import references_html
    from gutbrain.data import load_references

    keys = sorted(load_references())
    return ("# References\n\nEvery source the course cites, with its evidence tier and links to DOI, PubMed "
            "or PMC. Each lesson lists the ones it uses at its end.\n\n"
            f"{EDUCATION_NOTE}\n\n<div>{references_html(keys)}</div>\n")


def _from_root(markup: str) -> str:
    """A lesson's HTML links other lessons by file name; from the site's root they are in lessons/."""
    return re.sub(r'href="(\d\d_)', r'href="lessons/\1', markup)


def ledger_page() -> str:
    from gutbrain.data import load_references
    from gutbrain.figures.ledger import claims_list_html, scorecard_html
    from gutbrain.ledger import load_ledger

    ledger, refs = load_ledger(), load_references()
    return ("# The claims ledger\n\nEvery checkable claim in Articles A–E, with the course's verdict, the "
            "evidence behind it (with its tier) and the lesson that teaches it. Lesson 5 lets you filter "
            "it and judge claims yourself.\n\n"
            f"{EDUCATION_NOTE}\n\n## Scorecards\n\n<div>{_from_root(scorecard_html(ledger))}</div>\n\n"
            f"## Every claim\n\n<div>{_from_root(claims_list_html(ledger.claims, ledger, refs))}</div>\n")


def stage(stage_dir: Path = STAGE) -> Path:
    from gutbrain.course import lessons

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    (stage_dir / "lessons").mkdir(parents=True)
    (stage_dir / "_static").mkdir()
    for lesson in lessons():
        src = REPO_ROOT / "lessons" / f"{lesson.slug}.ipynb"
        stage_lesson(src, stage_dir / "lessons" / src.name, readme)
    (stage_dir / "index.md").write_text(index_page(readme), encoding="utf-8")
    (stage_dir / "references.md").write_text(references_page(), encoding="utf-8")
    (stage_dir / "ledger.md").write_text(ledger_page(), encoding="utf-8")
    shutil.copy(site_plotly_js(), stage_dir / "_static" / "plotly.min.js")
    return stage_dir


_NB_LINK = re.compile(r'href="((?:\.\./|\./)?(?:lessons/)?)(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"')


# The theme's search field button shows "Search Ctrl+K" but is labelled "Search": a spoken name
# that differs from the visible one (axe: label-content-name-mismatch). Without the label its
# name is what it shows. The icon-only search button keeps its label.
_SEARCH_FIELD_LABEL = re.compile(r'(<button class="[^"]*\bsearch-button-field\b[^"]*"[^>]*?) aria-label="Search"')


def name_search_buttons(page_html: str) -> str:
    """A page whose search field button is named by the text it shows."""
    return _SEARCH_FIELD_LABEL.sub(r"\1", page_html)


def link_lesson_pages(out: Path) -> int:
    """Links a lesson's own HTML carries (course map, "what next", demo notes) name notebooks;
    on the site they lead to the lesson's page. Also names the theme's search buttons by what
    they show (``name_search_buttons``)."""
    changed = 0
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _NB_LINK.sub(lambda m: f'href="{m.group(1)}{m.group(2)}.html{m.group(3) or ""}"', text)
        new = name_search_buttons(new)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def code_hash() -> str:
    """A hash of everything an executed lesson depends on besides its own cells (the package and
    the assets): the execution cache is kept per hash, so a changed model is never shown stale."""
    import hashlib

    digest = hashlib.sha256()
    for folder in (REPO_ROOT / "src" / "gutbrain", REPO_ROOT / "assets"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def execution_cache(root: Path = REPO_ROOT / "build" / "site-cache") -> Path:
    """This code's execution cache; caches of other versions of the code are removed."""
    current = root / code_hash()
    if root.exists():
        for old in root.iterdir():
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
    return current


def build(out: Path = OUT, *, execute: str = "cache", stage_dir: Path = STAGE, cache: Path | None = None) -> float:
    """Stage and build the site into ``out``; return the seconds it took."""
    started = time.perf_counter()
    stage(stage_dir)
    # The builder's own progress is not the site's: the lessons run with an empty store.
    env = dict(os.environ, GUTBRAIN_SITE_STAGE=str(stage_dir), GUTBRAIN_SITE_EXECUTE=execute,
               **{DATA_DIR_ENV: str(stage_dir / "_progress")})
    env["GUTBRAIN_SITE_CACHE"] = str(cache or execution_cache())
    conf_dir = Path(__file__).resolve().parent
    # Sphinx works next to the stage (myst-nb writes executed notebooks beside its output folder);
    # only the finished HTML goes to ``out``.
    html_dir, doctrees = stage_dir.parent / f"{stage_dir.name}-html", stage_dir.parent / f"{stage_dir.name}-doctrees"
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(conf_dir),
                    "-d", str(doctrees), str(stage_dir), str(html_dir)], env=env, check=True)
    link_lesson_pages(html_dir)
    cover_every_trace_type(html_dir)
    use_webfont(html_dir)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(html_dir, out, ignore=shutil.ignore_patterns(".buildinfo", "_sources"))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--execute", choices=["cache", "force"], default="cache",
                        help="cache: re-execute only lessons that changed (default); force: all of them")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out, execute=args.execute)
    except subprocess.CalledProcessError as err:
        print(f"The site did not build (Sphinx exited with {err.returncode}); see the messages above.", file=sys.stderr)
        return 1
    print(f"Built {args.out}/index.html in {seconds:.0f} s. Open it in a browser, or publish the folder on any "
          "static host (docs/site.md).")
    return 0
