"""environment.yml is the one pinned list; local installs derive from it and cannot drift."""
import re
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from pins import pip_pins  # noqa: E402

REQUIRED = {"jupyterlab", "ipywidgets", "nbgrader", "plotly", "anywidget", "libroadrunner",
            "numpy", "scipy", "pandas", "statsmodels", "pyyaml"}


def _name(pin: str) -> str:
    return re.split(r"[=<>!~\[]", pin, maxsplit=1)[0].lower().replace("_", "-")


def env():
    return yaml.safe_load((REPO / "environment.yml").read_text())


def pip_section():
    deps = env()["dependencies"]
    return next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)


def test_pins_tool_reads_environment_yml_exactly_as_yaml_does():
    assert pip_pins((REPO / "environment.yml").read_text()) == pip_section()


def test_every_direct_dependency_is_pinned_exactly():
    for pin in pip_section():
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][A-Za-z0-9_.+\-]*", pin), pin


def test_python_is_311_and_required_packages_present():
    assert "python=3.11" in env()["dependencies"]
    names = {_name(p) for p in pip_section()}
    assert REQUIRED <= names, REQUIRED - names


def test_version_floors_from_the_design():
    pins = dict(p.split("==") for p in pip_section())
    assert pins["jupyterlab"].startswith("4.6.")
    assert pins["ipywidgets"].startswith("8.1.")
    assert pins["nbgrader"] == "0.9.6"
    assert pins["plotly"].startswith("7.")


def test_pyproject_names_match_environment_yml():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_name(d) for d in project["dependencies"]}
    assert declared == {_name(p) for p in pip_section()}
    assert all("==" not in d for d in project["dependencies"]), "pins belong in environment.yml only"


def test_test_tools_are_pinned_once_outside_binders_list():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    test_pins = project["optional-dependencies"]["test"]
    assert all("==" in p for p in test_pins)
    assert not ({_name(p) for p in test_pins} & {_name(p) for p in pip_section()})


def test_pins_tool_rejects_an_unpinned_entry():
    import pytest

    with pytest.raises(ValueError, match="not pinned exactly"):
        pip_pins("dependencies:\n  - pip:\n      - numpy>=2\n")


def test_installed_versions_equal_the_pins():
    from importlib.metadata import version

    for pin in pip_section():
        name, wanted = pin.split("==")
        assert version(name) == wanted, f"{name}: installed {version(name)}, pinned {wanted}"


def test_binder_files():
    post = (REPO / "postBuild").read_text()
    assert post.startswith("#!/bin/bash") and "set -e" in post
    assert "pip install --no-deps -e ." in post and "build_quizzes.py" in post
    start = (REPO / "start").read_text().strip().splitlines()
    assert start[0].startswith("#!") and start[-1] == 'exec "$@"'
    assert not (REPO / "binder").exists(), "a binder/ folder makes repo2docker ignore root files"


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make test" in ci and "make test" in readme
