"""Sphinx configuration of the course website (used by ``gutbrain.site.build`` with ``-c``).

The staging folder (``build/site-src/``) holds the pages; this file only configures them. Every
JavaScript file a page loads is the theme's and Sphinx's own (from their wheels), plotly.js from
the plotly wheel and the site's own ``gutbrain-site.js``: nothing comes from a CDN.
"""
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGE = Path(os.environ["GUTBRAIN_SITE_STAGE"])

project = "Gut Feelings"
author = "The Gut Feelings authors"
copyright = "the Gut Feelings authors; code MIT, content CC BY 4.0"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "_progress", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "Gut Feelings"
html_static_path = [str(HERE / "_static"), str(STAGE / "_static")]
html_css_files = ["gutbrain-site.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
# The figures are drawn on white: the site stays light (and the theme then has a mode to restore).
html_context = {"default_mode": "light"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "extra_footer": "<p><b>Education, not medical advice.</b> The course teaches what the research literature "
                    "supports. It does not diagnose or treat anything.</p>",
}
# Executed for the site: failures stop the build; the cache reuses unchanged notebooks.
nb_execution_mode = os.environ.get("GUTBRAIN_SITE_EXECUTE", "cache")
nb_execution_cache_path = os.environ["GUTBRAIN_SITE_CACHE"]
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# No widget manager, no require.js: the site's display mode outputs plain HTML.
nb_ipywidgets_js = {}
# Lessons are notebooks: a heading level they skip is not the site's to fail on.
suppress_warnings = ["myst.header"]


def _figure_scripts(app, pagename, templatename, context, doctree):
    """plotly.js (and the script that draws the site's diagrams) only on pages that have one."""
    if "data-gb-static" in (context.get("body") or ""):
        app.add_js_file("plotly.min.js")
        app.add_js_file("gutbrain-site.js")


def setup(app):
    app.connect("html-page-context", _figure_scripts)
