"""`make lab` on a fresh machine says what it is doing and that it takes minutes; once set up it
says nothing and goes straight to JupyterLab. Checked with make's dry run (nothing installed)."""
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def dry_run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    done = subprocess.run(["make", "-n", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def test_the_first_run_says_it_takes_a_few_minutes(tmp_path):
    plan = dry_run("lab", f"VENV={tmp_path / 'fresh-venv'}")
    lines = plan.splitlines()
    first_echo = next(line for line in lines if line.startswith("echo"))
    assert "First run: setting up the course" in first_echo and "few minutes" in plan
    # and it says so before the slow steps start
    said = plan.index("First run")
    assert said < plan.index("-m venv") < plan.index("Installing the course's pinned packages") < plan.index(
        "-r requirements.lock")


def test_a_ready_checkout_starts_jupyterlab_without_set_up_messages():
    if subprocess.run(["make", "-q", "setup"], cwd=REPO, capture_output=True).returncode != 0:
        pytest.skip("this checkout's .venv is not set up (run `make setup`); the first-run test covers the rest")
    plan = dry_run("lab")
    assert "First run" not in plan and "pip install" not in plan and "Installing" not in plan
    assert "jupyter lab" in plan
