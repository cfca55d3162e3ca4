"""deploy/: the Zero to JupyterHub values validate against the chart's own values schema.

The schema is the one the chart ships (values.schema.json of chart 4.4.0, from
github.com/jupyterhub/zero-to-jupyterhub-k8s at tag 4.4.0; BSD-3-Clause, deploy/z2jh-schema/).
Kubernetes itself is not run here: docs/deploy.md says what that leaves untested.
"""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import types
from pathlib import Path
from unittest import mock

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
SCHEMA = json.loads((DEPLOY / "z2jh-schema" / "values.schema.json").read_text())
CHART_VERSION = "4.4.0"
UNITS = {"K": 1e3, "M": 1e6, "G": 1e9, "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30}


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def merged(*docs: dict) -> dict:
    """What helm does with several -f files: later maps override, key by key."""
    out: dict = {}
    for doc in docs:
        stack = [(out, doc)]
        while stack:
            into, new = stack.pop()
            for k, v in new.items():
                if isinstance(v, dict) and isinstance(into.get(k), dict):
                    stack.append((into[k], v))
                else:
                    into[k] = copy.deepcopy(v)
    return out


#: helm validates the chart's defaults merged with these files; the defaults supply every
#: ``required`` key, so only the chart's own file (not committed here) could miss one.
OverridesValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"required": lambda *a: iter(())})


def errors(values: dict) -> list[str]:
    validator = OverridesValidator(SCHEMA)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values)]


def to_bytes(quantity: str | int | float) -> float:
    m = re.fullmatch(r"([0-9.]+)([KMG]i?)?", str(quantity))
    assert m, f"not a Kubernetes memory quantity: {quantity!r}"
    return float(m.group(1)) * UNITS.get(m.group(2) or "", 1)


def test_the_schema_is_the_pinned_chart_version_and_licence():
    assert SCHEMA["$schema"].startswith("http://json-schema.org/draft-07")
    assert "singleuser" in SCHEMA["properties"] and SCHEMA["additionalProperties"] is False
    assert "BSD 3-Clause" in (DEPLOY / "z2jh-schema" / "LICENSE").read_text()
    assert f"--version {CHART_VERSION}" in (DEPLOY / "values.yaml").read_text()


@pytest.mark.parametrize("files", [("values.yaml",), ("values.yaml", "site.example.yaml")])
def test_values_validate_against_the_chart_schema(files):
    assert errors(merged(*(load(f) for f in files))) == []


def test_the_schema_would_catch_a_mistake():
    """A misspelt key or a wrong type fails: the validation above is not vacuous."""
    bad = merged(load("values.yaml"), {"singleuser": {"defaultURL": "/lab"}})
    assert any("defaultURL" in e for e in errors(bad))
    bad = merged(load("values.yaml"), {"cull": {"timeout": "an hour"}})
    assert any(e.startswith("cull.timeout") for e in errors(bad))


def test_what_the_course_needs_is_in_the_values():
    v = load("values.yaml")
    su = v["singleuser"]
    assert su["defaultUrl"] == "/lab/tree/gut-feelings/lessons/00_start_here.ipynb"
    assert (REPO / "lessons" / "00_start_here.ipynb").is_file()
    assert v["cull"]["enabled"] and v["cull"]["timeout"] <= 3600
    mounts = {m["name"]: m["mountPath"] for m in su["storage"]["extraVolumeMounts"]}
    assert mounts["nbgrader-exchange"] == su["extraEnv"]["GUTBRAIN_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert v["hub"]["extraEnv"]["GUTBRAIN_GRADEBOOK_URL"]["valueFrom"]["secretKeyRef"]["name"] == "gut-feelings-gradebook"


def test_the_manifests_make_what_the_values_mount():
    docs = {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "exchange.yaml").read_text())}
    volumes = {vol["name"]: vol for vol in load("values.yaml")["singleuser"]["storage"]["extraVolumes"]}
    pvc = docs["PersistentVolumeClaim"]
    assert volumes["nbgrader-exchange"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert volumes["nbgrader-config"]["configMap"]["name"] == docs["ConfigMap"]["metadata"]["name"]
    config = docs["ConfigMap"]["data"]["nbgrader_config.py"]
    compile(config, "nbgrader_config.py", "exec")
    assert "chmod 1777" in docs["Job"]["spec"]["template"]["spec"]["containers"][0]["command"][-1]


def _spawn(groups: list[str], user_id: int = 7):
    """Run the hub's pre-spawn hook (values.yaml, hub.extraConfig) on a stand-in spawner."""
    code = load("values.yaml")["hub"]["extraConfig"]["gutFeelings"]
    c = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    namespace = {"c": c}
    exec(compile(code, "extraConfig", "exec"), namespace)
    user = types.SimpleNamespace(id=user_id, groups=[types.SimpleNamespace(name=g) for g in groups])
    spawner = types.SimpleNamespace(user=user, environment={}, default_url=None, uid=1000,
                                    mem_guarantee=None, mem_limit=None, cpu_limit=None)
    with mock.patch.dict(os.environ, {"GUTBRAIN_GRADEBOOK_URL": "postgresql+psycopg2://grader@db/gut"}):
        c.KubeSpawner.pre_spawn_hook(spawner)
    return spawner


def test_learners_get_their_own_uid_and_no_gradebook():
    a, b = _spawn([], 7), _spawn([], 8)
    assert a.uid != b.uid and a.uid >= 100000
    assert "GUTBRAIN_GRADEBOOK_URL" not in a.environment and "GUTBRAIN_VIEW" not in a.environment


def test_instructors_get_the_instructor_view_and_the_gradebook():
    s = _spawn(["instructors"])
    assert s.environment["GUTBRAIN_VIEW"] == "instructor"
    assert s.environment["GUTBRAIN_GRADEBOOK_URL"].startswith("postgresql+psycopg2://")
    assert s.default_url == "/lab/tree/gut-feelings/quizzes/source"


@pytest.mark.parametrize("view", ["instructor", "learner", "", "root"])
def test_start_opens_the_view_the_hub_asks_for(view):
    """repo2docker's `start` hook: GUTBRAIN_VIEW=instructor opens the instructor's view, anything else the learner's."""
    env = {"PATH": os.environ["PATH"], "GUTBRAIN_VIEW": view}
    out = subprocess.run(["bash", str(REPO / "start"), "sh", "-c", 'echo "$JUPYTER_CONFIG_PATH"'],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(REPO / "jupyter-config" / ("instructor" if view == "instructor" else "learner"))


def test_requests_come_from_the_measured_footprint():
    """deploy/footprint.json is benchmarks/bench_footprint.py's output; the values cover it."""
    measured = json.loads((DEPLOY / "footprint.json").read_text())
    memory = load("values.yaml")["singleuser"]["memory"]
    one_lesson = measured["learner"]["one_lesson_at_a_time_MiB"] * 2 ** 20
    every_lesson = measured["learner"]["every_lesson_open_MiB"] * 2 ** 20
    assert to_bytes(memory["guarantee"]) >= one_lesson
    assert to_bytes(memory["limit"]) >= every_lesson
    assert set(measured["lessons"]) == {p.stem for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb")}
