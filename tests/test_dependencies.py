"""environment.yml is the one pinned list; local installs derive from it and cannot drift."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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


def pip_entries():
    deps = env()["dependencies"]
    return next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)


def pip_section():
    """The direct pins (the section's `-r requirements.lock` line is the derived lock)."""
    return [p for p in pip_entries() if not p.startswith("-r ")]


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


def test_pip_section_ends_with_the_lock():
    """Binder installs the pins and, with them, the whole locked set."""
    entries = pip_entries()
    assert entries[-1] == "-r requirements.lock"
    assert sum(e.startswith("-") for e in entries) == 1


def test_lock_files_match_the_pins():
    import lock

    problems = lock.check()
    assert not problems, "\n".join(problems) + "\nRun `make lock`."


def test_lock_is_closed_over_dependencies():
    """Every dependency of every locked package (on this platform) is locked too."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement

    import lock

    for path in (lock.LOCK, lock.TEST_LOCK):
        locked = lock.read_lock(path)
        missing = set()
        for name in locked:
            try:
                requires = distribution(name).requires or []
            except PackageNotFoundError:
                continue  # checked by test_installed_versions_equal_the_lock
            for text in requires:
                req = Requirement(text)
                if req.marker is None or req.marker.evaluate({"extra": ""}):
                    if lock.normalise(req.name) not in locked:
                        missing.add(f"{name} needs {req.name}")
        assert not missing, f"{path.name} is not closed: {sorted(missing)}; run `make lock`"


def test_installed_versions_equal_the_lock():
    """The venv holds exactly what the test lock says (`make test` installs it)."""
    from importlib.metadata import PackageNotFoundError, version

    import lock

    wrong = []
    for name, wanted in lock.read_lock(lock.TEST_LOCK).items():
        if name in lock.TRIMMED:
            continue  # test_trimmed_packages_are_gone
        try:
            got = version(name)
        except PackageNotFoundError:
            got = None
        if got != wanted:
            wrong.append(f"{name}: installed {got}, locked {wanted}")
    assert not wrong, "\n".join(wrong) + "\nRun `make test` (it installs requirements-test.lock)."


def test_trimmed_packages_are_gone_and_nbformat_starts_without_them():
    """`make setup` removes lock.TRIMMED after installing (postBuild too): importing nbformat, as every
    grading sandbox and Jupyter server does, must not load them."""
    from importlib.metadata import PackageNotFoundError, version

    import lock

    for name in lock.TRIMMED:
        with pytest.raises(PackageNotFoundError):
            version(name)
    code = "import sys, nbclient, nbformat; print(sorted(m for m in sys.modules if m.startswith(('rfc3987', 'lark'))))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stdout
    assert "python tools/lock.py --trim" in (REPO / "postBuild").read_text()


def test_installed_versions_equal_the_pins():
    from importlib.metadata import version

    for pin in pip_section():
        name, wanted = pin.split("==")
        assert version(name) == wanted, f"{name}: installed {version(name)}, pinned {wanted}"


def test_binder_files():
    post = (REPO / "postBuild").read_text()
    assert post.startswith("#!/bin/bash") and "set -e" in post
    assert "pip install --no-deps -e ." in post and "build_quizzes.py" in post
    start_text = (REPO / "start").read_text()
    start = start_text.strip().splitlines()
    assert start[0].startswith("#!") and start[-1] == 'exec "$@"'
    # Binder opens the learner's view, configured as `make lab` configures it.
    assert "export JUPYTER_CONFIG_PATH=" in start_text and "jupyter-config/learner" in start_text
    assert "jupyter-config/learner" in (REPO / "Makefile").read_text()


BINDER_LINK = re.compile(r"^\[binder\]: (https://mybinder\.org/v2/gh/([^/\s]+)/([^/\s]+)/([^?\s]+)\?urlpath=lab/tree/(\S+))$", re.M)
BINDER_PLACEHOLDER = "YOUR-GITHUB-ORG"


def test_binder_badge_is_built_from_one_link():
    """The README names the GitHub <owner>/<repo> once, in the link definition `[binder]: ...`;
    the badge uses it, and it opens a notebook that exists."""
    readme = (REPO / "README.md").read_text()
    links = BINDER_LINK.findall(readme)
    assert len(links) == 1, "README.md needs exactly one `[binder]: https://mybinder.org/v2/gh/...` line"
    url, owner, repo, ref, path = links[0]
    assert readme.count("mybinder.org/v2/") == 1, "the Binder URL must be written once (the [binder] link)"
    assert "](https://mybinder.org/badge_logo.svg)][binder]" in readme
    assert (REPO / path).is_file(), f"the Binder link opens {path}, which does not exist"
    assert ref == "HEAD"


def test_binder_badge_names_this_repository():
    """Honest about what it can check: the badge's <owner>/<repo> must be the GitHub repository
    this clone comes from. Without a GitHub `origin` (or with the placeholder still in place)
    there is nothing to compare, and the test says so by skipping."""
    import subprocess

    import pytest

    owner, repo = BINDER_LINK.search((REPO / "README.md").read_text()).group(2, 3)
    done = subprocess.run(["git", "remote", "get-url", "origin"], cwd=REPO, capture_output=True, text=True)
    origin = re.search(r"github\.com[:/]([^/]+)/([^/\s]+?)(\.git)?$", done.stdout.strip())
    if not origin:
        pytest.skip(f"this clone has no GitHub origin: cannot check that the Binder badge's {owner}/{repo} "
                    "is where the course is published")
    assert owner != BINDER_PLACEHOLDER, (
        f"the Binder badge still says {BINDER_PLACEHOLDER}: set the [binder] link in README.md to "
        f"{origin.group(1)}/{origin.group(2)}")
    assert (owner.lower(), repo.lower()) == (origin.group(1).lower(), origin.group(2).lower())


def test_view_configurations():
    """jupyter-config/learner hides the instructor tools and the quiz sources; jupyter-config/
    instructor keeps nbgrader; both serve notebooks that do not open modified."""
    import importlib
    import json

    learner = json.loads((REPO / "jupyter-config/learner/labconfig/page_config.json").read_text())
    teacher = json.loads((REPO / "jupyter-config/instructor/labconfig/page_config.json").read_text())
    nbgrader_tools = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:menu"}
    news = "@jupyterlab/apputils-extension:announcements"
    assert nbgrader_tools | {news} <= {k for k, v in learner["disabledExtensions"].items() if v}
    assert not nbgrader_tools & {k for k, v in teacher["disabledExtensions"].items() if v}
    for view in ("learner", "instructor"):
        server = json.loads((REPO / f"jupyter-config/{view}/jupyter_server_config.json").read_text())
        module, _, name = server["ServerApp"]["contents_manager_class"].rpartition(".")
        assert hasattr(importlib.import_module(module), name)
        assert server["LabApp"]["news_url"] is None
    hidden = json.loads((REPO / "jupyter-config/learner/jupyter_server_config.json").read_text())
    assert "source" in hidden["ContentsManager"]["hide_globs"]


def test_contents_manager_fills_the_kernels_language_info(tmp_path):
    import asyncio
    import json
    from concurrent.futures import ThreadPoolExecutor

    from gutbrain.jupyter_view import CourseContentsManager, kernel_language_info

    nb = json.loads((REPO / "lessons" / "00_start_here.ipynb").read_text())
    (tmp_path / "n.ipynb").write_text(json.dumps(nb))
    manager = CourseContentsManager(root_dir=str(tmp_path))
    # A thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        got = pool.submit(lambda: asyncio.run(manager.get("n.ipynb"))).result()
    assert got["content"]["metadata"]["language_info"] == kernel_language_info()
    assert json.loads((tmp_path / "n.ipynb").read_text()) == nb, "the file on disk must not change"
    assert not (REPO / "binder").exists(), "a binder/ folder makes repo2docker ignore root files"


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make test" in ci and "make test" in readme
