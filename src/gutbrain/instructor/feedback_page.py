"""The exporter of feedback pages: nbconvert's HTML exporter, its templates compiled once.

nbgrader makes a new exporter, and with it a new Jinja environment, for every
``generate_feedback`` call: the course calls it once per student, and compiling the feedback
templates (about 0.4 s) was most of each page's cost. The compiled templates are kept for the
process in Jinja's bytecode cache, keyed by each template's name and source checksum, so an
edited template is compiled anew.
"""
from __future__ import annotations

import jinja2
from nbconvert.exporters import HTMLExporter


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


COMPILED_TEMPLATES = _MemoryBytecodeCache()


class FeedbackHTMLExporter(HTMLExporter):
    """``HTMLExporter`` (its configuration applies) sharing compiled templates across instances."""

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED_TEMPLATES
        return environment
