"""plotly's widget code, served once by the Jupyter server instead of sent with every figure.

Since plotly 6, every ``go.FigureWidget`` sends plotly's whole widget bundle (plotly.js and
its widget, ~5 MB) over the kernel websocket as its ``_esm`` state. The course's figures
(``gutbrain.widgets.figure.CourseFigure``) send a small loader instead, which imports the bundle
from this server at ``<base_url>gutbrain/plotly/<plotly version>/widgetbundle.js``: the browser
fetches it once, gzipped, and keeps it in its cache (the URL changes when plotly does).

The file is the installed plotly package's own ``package_data/widgetbundle.js``; nothing is
copied. Enabled as a Jupyter server extension (``jupyter-config/learner`` and
``jupyter-config/instructor``; ``ServerApp.jpserver_extensions``). It also names the bundle in
JupyterLab's page config, so that the course's JupyterLab extension can import it as soon as a
lesson opens, before the lesson's figures need it.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

ROUTE_PREFIX = "gutbrain/plotly"
BUNDLE_NAME = "widgetbundle.js"
#: JupyterLab page config entry naming the bundle's path, read by the course's JupyterLab extension
#: (jupyter-config/data/labextensions/gutbrain-plotly-preload), which imports it as a lesson opens.
PAGE_CONFIG_KEY = "gutbrainPlotlyBundle"
#: A year: the URL carries plotly's version, so a new plotly is a new URL.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def plotly_version() -> str:
    import plotly

    return plotly.__version__


def bundle_path(version: str | None = None) -> str:
    """The bundle's URL path relative to the server's base URL (no leading slash)."""
    return f"{ROUTE_PREFIX}/{version or plotly_version()}/{BUNDLE_NAME}"


def bundle_file() -> Path:
    """plotly's widget bundle as installed (the file ``go.FigureWidget`` would send)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / BUNDLE_NAME


@functools.lru_cache(maxsize=1)
def bundle_bytes() -> dict[str, bytes | str]:
    """The bundle, plain and gzipped, with its ETag (read and compressed once per server)."""
    raw = bundle_file().read_bytes()
    return {"identity": raw, "gzip": gzip.compress(raw, compresslevel=6, mtime=0),
            "etag": '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'}


def _handler_class():
    from tornado import web

    class PlotlyBundleHandler(web.RequestHandler):
        """GET the bundle: JavaScript, gzipped when the browser accepts it, cached for a year.

        Public like JupyterLab's own static files (it is plotly's published code): no token, so
        the browser's module loader can fetch it under any base URL (Binder, JupyterHub)."""

        def get(self, version: str) -> None:
            if version != plotly_version():
                self.set_status(404)
                self.set_header("Content-Type", "text/plain; charset=utf-8")
                self.finish(f"This server has plotly {plotly_version()}, not {version}: restart the "
                            "kernel (and reload the page) so both use the same plotly.")
                return
            body = bundle_bytes()
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.set_header("Cache-Control", CACHE_CONTROL)
            self.set_header("ETag", body["etag"])
            self.set_header("Vary", "Accept-Encoding")
            if self.request.headers.get("If-None-Match", "") == body["etag"]:
                self.set_status(304)
                self.finish()
                return
            if "gzip" in self.request.headers.get("Accept-Encoding", ""):
                self.set_header("Content-Encoding", "gzip")
                self.finish(body["gzip"])
            else:
                self.finish(body["identity"])

    return PlotlyBundleHandler


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "gutbrain.plotly_bundle"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], ROUTE_PREFIX, r"([^/]+)", BUNDLE_NAME.replace(".", r"\."))
    web_app.add_handlers(".*$", [(route, _handler_class())])
    # For the course's JupyterLab extension, which imports the bundle as a lesson opens.
    web_app.settings.setdefault("page_config_data", {})[PAGE_CONFIG_KEY] = bundle_path()
    serverapp.log.info("gutbrain: plotly's widget bundle served at %s", route)
