"""Lesson 3's notebook: shape (LESSON-STYLE), self-checks, and numbers in its prose that come from
the shipped rows. Execution in a real kernel is tests/test_notebooks.py's job (by glob)."""
import json
import re
from pathlib import Path

import pytest

from gutbrain.course import read_lesson
from gutbrain.models import meta_analysis as ma
from gutbrain.models import psychobiotics as ps
from gutbrain.selfcheck import load_bank

REPO = Path(__file__).resolve().parents[1]
LESSON = REPO / "lessons" / "03_psychobiotics.ipynb"


@pytest.fixture(scope="module")
def nb():
    return json.loads(LESSON.read_text(encoding="utf-8"))


def markdown(nb) -> str:
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def code(nb) -> str:
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_metadata_objectives_and_opening_list(nb):
    lesson = read_lesson(LESSON)
    assert lesson.number == 3 and 3 <= len(lesson.objectives) <= 5
    first = "".join(nb["cells"][0]["source"])
    assert "**You will be able to**" in first and "**Time to learn:**" in first and "| " not in first
    assert all(f"- {o}" in first for o in lesson.objectives)
    assert "01_serotonin_synthesis.ipynb" in first


def test_hook_quotes_article_d_by_label_and_no_seed_names(nb):
    text = markdown(nb)
    assert "Article D" in text and "effect sizes are moderate" in text
    assert not re.search(r"seed|00\d_[0-9a-f]{6}", text, re.I)


def test_every_demo_is_followed_by_think_and_a_prediction(nb):
    cells = nb["cells"]
    demos = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
             and re.match(r"(EffectSizeExplorer|MetaAnalysisLab|FunnelExplorer|MetaForest)\(", "".join(c["source"]))]
    assert len(demos) == 4
    for i in demos:
        before = "".join(cells[i - 1]["source"])
        after = "".join(cells[i + 1]["source"])
        assert "**Think!**" in before and "Before" in before, i  # a prediction first
        assert "**Think!**" in after, i


def test_self_checks_exist_and_cover_each_section(nb):
    bank = load_bank("03_psychobiotics")
    asked = re.findall(r'ask\("03_psychobiotics", "([a-z0-9-]+)"\)', code(nb))
    assert len(asked) >= 6 and len(set(asked)) == len(asked)
    assert set(asked) <= set(bank) and set(bank) <= set(asked)


def test_summary_references_and_what_next(nb):
    text = markdown(nb)
    assert "## Summary" in text and "## What next" in text
    summary = text.split("## Summary", 1)[1].split("##", 1)[0]
    assert 1 <= summary.count("\n- ") + summary.startswith("\n-") <= 5
    refs = [c for c in nb["cells"] if c["cell_type"] == "code" and "show_references(" in "".join(c["source"])]
    assert len(refs) == 1
    keys = re.findall(r'"([a-z0-9]+)"', "".join(refs[0]["source"]))
    cited = set(re.findall(r"`\[([a-z0-9, ]+)\]`", text))
    cited = {k.strip() for group in cited for k in group.split(",")}
    assert cited <= set(keys), cited - set(keys)


def test_notebook_is_committed_clean(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_prose_numbers_come_from_the_shipped_rows(nb):
    text = markdown(nb)
    bdi = ps.effects("bdi_md")
    fe, dl = ma.pool(bdi, method="fixed"), ma.pool(bdi, method="random-dl")
    assert f"{fe.estimate:.2f}".replace("-", "−") in text          # −0.85
    assert f"{dl.estimate:.2f}".replace("-", "−") in text          # −1.02
    loo = dict((e.key, r) for e, r in ma.leave_one_out(bdi, "random-dl"))["akkasheh2016"]
    assert f"about {loo.estimate:.2f}".replace("-", "−") in text and f"about {loo.i2_percent:.0f}%" in text
    egger_all = ma.egger_test(bdi)
    assert f"about {egger_all.p:.3f}" in text                        # 0.007
    two = [e for e in bdi if e.key not in ("akkasheh2016", "raygan2018")]
    assert f"about {ma.egger_test(two).p:.2f}" in text               # 0.33
    assert f"{ma.probability_of_superiority(0.24) * 100:.0f}%" in text and \
        f"{ma.overlap_coefficient(0.24) * 100:.0f}%" in text
    akk = ps.trial("akkasheh2016")
    sd = ma.pooled_sd(akk.sd_probiotic, akk.n_probiotic, akk.sd_placebo, akk.n_placebo)
    assert f"about {sd:.1f} points" in text
    assert f"{ma.se_from_ci(-0.261, 0.00463):.3f}" in text           # 0.068
