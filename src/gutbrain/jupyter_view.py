"""JupyterLab server pieces for the course's two views (see jupyter-config/README.md).

``CourseContentsManager`` is JupyterLab's usual contents manager, except that a notebook is
handed to the browser with ``metadata.language_info`` already as this server's Python kernel
will report it. JupyterLab writes the kernel's language_info into the notebook when the kernel
connects; the committed lessons carry only ``{"name": "python"}`` (the patch version of Python
differs between machines), so without this every lesson opened already marked as modified.
The file on disk is not changed (a learner's save writes the full language_info, as usual).
"""
from __future__ import annotations

import sys

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager


def kernel_language_info() -> dict:
    """What ipykernel (the course's kernel, run by this same Python) reports as language_info."""
    try:
        from ipykernel.ipkernel import IPythonKernel

        return dict(IPythonKernel.language_info)
    except Exception:  # pragma: no cover - ipykernel is a pinned dependency
        return {"name": "python", "version": sys.version.split()[0]}


class CourseContentsManager(AsyncLargeFileManager):
    """Serve notebooks with the kernel's language_info filled in, so opening one does not mark
    it modified."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            meta = model["content"].setdefault("metadata", {})
            info = meta.get("language_info") or {}
            if info.get("name", "python") == "python":
                meta["language_info"] = {**info, **kernel_language_info()}
        return model
