"""The suite's harness: which tests share a worker under pytest-xdist, and where the time goes.

Its hooks are registered by tests/conftest.py; tests/test_suite_harness.py runs them on a small
suite of its own. See docs/browser_tests.md, "Parallel workers".
"""
from __future__ import annotations

import re

import pytest


# --------------------------------------------------------------------------------------------
# Parallel workers (pytest-xdist, `--dist loadgroup`): tests that share an expensive fixture run
# on one worker, so the fixture is made once (docs/browser_tests.md, "Parallel workers").
# --------------------------------------------------------------------------------------------

def _param_id(value) -> str:
    # xdist reads the group after the last "@" of a node id, and only past its last "]".
    return re.sub(r"[\[\]@\s]+", "_", getattr(value, "stem", None) or str(value))


def shared_fixtures(item) -> list[str]:
    """The shared fixtures a test uses that tie it to other tests, with their parameters.

    A session-scoped fixture without parameters is made once per worker anyway (the JupyterLab
    server, Chromium), so it ties nothing; a parametrised one (e.g. ``lesson``: one Run All per
    lesson) ties the tests with the same parameter, whichever module they are in; a module-,
    class- or package-scoped one ties the tests of its module, class or package."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec else {}
    module, *rest = item.nodeid.split("::")
    keys = []
    for name in item.fixturenames:
        defs = item._fixtureinfo.name2fixturedefs.get(name)
        if not defs:
            continue
        scope = defs[-1].scope
        if scope == "function" or (scope == "session" and name not in params):
            continue
        where = {"session": "", "package": module.rsplit("/", 1)[0] + "/", "module": module + ":",
                 "class": ":".join([module, *rest[:1]]) + ":"}[scope]
        keys.append((scope == "session", where + name + (f"={_param_id(params[name])}" if name in params else "")))
    # A session fixture's parameter decides alone (a cheap module fixture beside ``lesson`` must
    # not put every lesson on one worker).
    if any(session for session, _ in keys):
        keys = [k for k in keys if k[0]]
    return [key for _, key in keys]


def xdist_groups(items) -> dict[str, str]:
    """Node id -> group: tests that share a fixture (directly or through another test) form one
    group, so that every shared fixture is made on one worker only. (Union-find over the keys.)"""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys_of = {item.nodeid: shared_fixtures(item) for item in items}
    for keys in keys_of.values():
        for key in keys[1:]:
            a, b = root(keys[0]), root(key)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {nodeid: root(keys[0]) for nodeid, keys in keys_of.items() if keys}


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    groups = xdist_groups(items)
    for item in items:
        if item.nodeid in groups and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    if getattr(config.option, "loadgroup", False):  # on an xdist worker, --dist loadgroup
        _append_groups_to_node_ids(items)


def _append_groups_to_node_ids(items) -> None:
    """What xdist's worker does for --dist loadgroup ("<node id>@<group>": the controller
    schedules by the part after "@"), redone because xdist 3.8 sets ``item._nodeid``, which
    pytest 9 no longer reads: without this, groups are silently ignored and every worker
    repeats every shared fixture (tests/test_suite_harness.py catches that)."""
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if names and not item.nodeid.endswith("@" + "_".join(names)):
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


# --------------------------------------------------------------------------------------------
# Where the time goes: seconds per area (summed over workers), printed after every run.
# --------------------------------------------------------------------------------------------

AREAS = ("browser", "grading", "notebook")
_AREA_SECONDS: dict[str, float] = {}


def area_of(keywords) -> str:
    """The area a test belongs to, by its marker (browser, grading, notebook), else "other"."""
    return next((area for area in AREAS if area in keywords), "other")


def pytest_runtest_logreport(report):
    area = area_of(report.keywords)
    _AREA_SECONDS[area] = _AREA_SECONDS.get(area, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _AREA_SECONDS:
        return
    total = sum(_AREA_SECONDS.values())
    terminalreporter.section("time per area (set-up + call + tear-down, summed over workers)")
    for area, seconds in sorted(_AREA_SECONDS.items(), key=lambda kv: -kv[1]):
        terminalreporter.line(f"{area:>9}: {seconds:7.1f} s  {100 * seconds / total:3.0f} %")
