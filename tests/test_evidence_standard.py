"""The evidence standard (TEAM.md, LESSON-STYLE.md) holds for every lesson, bank, data file and reference.

Run with ``-s`` to see the coverage figures. Unit tests below show that each rule can fail.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from gutbrain import evidence as ev

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
BANKS = sorted((REPO / "assets" / "questions").glob("*.yaml"))
DATA = sorted((REPO / "assets" / "data").glob("*.csv"))
QUIZZES = sorted((REPO / "quizzes" / "source").glob("*/*.ipynb"))


def _assert_clean(report: ev.Report) -> None:
    for name, cov in report.coverage.items():
        print(f"\n[evidence coverage] {name}: {cov.summary()}")
    assert not report.findings, "evidence standard (see /work/coord/EVIDENCE_CLI.md):\n" + "\n".join(
        str(f) for f in report.findings)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_meets_evidence_standard(path):
    _assert_clean(ev.check_course(REPO, [path], global_rules=False))


@pytest.mark.parametrize("path", BANKS, ids=[p.stem for p in BANKS])
def test_question_bank_meets_evidence_standard(path):
    _assert_clean(ev.check_course(REPO, [path], global_rules=False))


@pytest.mark.parametrize("path", DATA, ids=[p.stem for p in DATA])
def test_every_data_row_has_a_source(path):
    _assert_clean(ev.check_course(REPO, [path], global_rules=False))


@pytest.mark.parametrize("path", QUIZZES + [REPO / "README.md"], ids=[p.stem for p in QUIZZES] + ["README"])
def test_quizzes_and_readme_name_articles_by_label(path):
    _assert_clean(ev.check_course(REPO, [path], global_rules=False))


def test_whole_course_meets_the_evidence_standard():
    """What `python -m gutbrain.evidence` runs: every rule over lessons, banks, data, ledger, quizzes,
    README and the facts registry. Scopes without a facts file report substance findings as pending."""
    report = ev.check_course(REPO)
    print(f"\n[evidence] per rule: {report.counts()}")
    for name, cov in report.coverage.items():
        print(f"[evidence coverage] {name}: {cov.summary()}")
    assert not report.findings, "\n".join(str(f) for f in report.findings)


OWN_SCOPES = ("00_start_here", "01_serotonin_synthesis", "05_reading_health_articles", "ledger", "quizzes", "readme")


def test_facts_registry_covers_the_evidence_engineers_scopes():
    """Lessons 0, 1 and 5, their banks, the ledger, quizzes and README have facts files, so every
    substance rule runs there (lessons 2-4 have theirs from the science work)."""
    from gutbrain.facts import load_registry
    from gutbrain.data import load_references

    registry = load_registry(REPO / "assets" / "facts", load_references())
    assert not registry.problems, "\n".join(registry.problems)
    assert set(OWN_SCOPES) <= registry.scopes


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_coverage_per_lesson(path):
    """The promise of lesson 0, measured: every number a lesson states is sourced (citation, marker or
    article quote) and every citation carries a tier. Run with -s to see the figures."""
    report = ev.check_course(REPO, [path], global_rules=False)
    if str(path.relative_to(REPO)) not in report.coverage:
        pytest.skip("the review notebook describes the course's scheduler, not the science")
    cov = report.coverage[str(path.relative_to(REPO))]
    print(f"\n[evidence coverage] {path.stem}: {cov.summary()}")
    assert cov.tiered_citations == cov.citations
    if path.stem in OWN_SCOPES:
        assert cov.sourced_numbers == cov.numbers


def test_every_reference_is_cited_somewhere():
    report = ev.check_course(REPO)
    print(f"\n[evidence coverage] whole course: {report.total().summary()}")
    for note in report.notes:
        print(f"[evidence coverage] {note}")
    uncited = [f for f in report.findings if f.rule in ("uncited-reference", "duplicate-reference")]
    assert not uncited, "\n".join(str(f) for f in uncited)


# ----------------------------------------------------------------------------- unit tests of the rules
CTX_REFS = {"yano2015": "animal", "gershon2007": "review", "kim2018": "animal", "trial2020": "human RCT"}


def ctx() -> ev.Context:
    return ev.Context(references=dict(CTX_REFS), articles=frozenset("ABCDE"))


def rules(markdown: str, **kw) -> list[str]:
    findings, _ = ev.check_markdown(markdown, ctx(), **kw)
    return [f.rule for f in findings]


def test_clean_sentence_passes():
    assert rules("Germ-free mice have less colonic serotonin `[yano2015]` *(animal; mice)*.") == []
    assert rules("Gut serotonin is local `[gershon2007]` *(review)*; platelets store it `[kim2018]` *(animal)*.") == []


def test_unresolved_key_fails():
    assert "unresolved-key" in rules("Mice `[nosuch2019]` *(animal)*.")
    assert "unresolved-key" in rules("Mice [nosuch2019] are cited without backticks.")


def test_missing_tier_fails():
    assert rules("Mice have less serotonin `[yano2015]`.") == ["missing-tier"]
    # The tier must be in the same sentence ...
    assert rules("Mice have less serotonin `[yano2015]`. It is *(animal)*.") == ["missing-tier"]
    # ... in the *(tier; detail)* form ...
    assert rules("Mice have less serotonin `[yano2015]` *(animal: mice)*.") == ["missing-tier"]
    # ... and after each citation, not only the last one.
    assert rules("A `[gershon2007]` says so, and B `[kim2018]` *(animal)* too.") == ["missing-tier"]
    assert rules("A says so `[gershon2007]`, `[kim2018]` *(review / animal)*.") == []


def test_tier_mismatch_fails():
    assert rules("A trial found it `[trial2020]` *(animal; mice)*.") == ["tier-mismatch"]


def test_unsourced_number_fails_and_sources_pass():
    assert rules("Germ-free mice have 50% less serotonin.") == ["unsourced-number"]
    assert rules("Germ-free mice have 50% less serotonin `[yano2015]` *(animal; mice)*.") == []
    assert rules("The model sends 0.21% to serotonin *(computed here)*.") == []
    assert rules("The often-quoted figure is 60% *(unverified)*.") == []
    assert rules("Article D says 'Approximately 95% of the body’s serotonin is produced in the gut'.") == []
    assert rules("| Article A | \"about 90% of your body’s serotonin\" |") == []
    # A quote with no article label is not attributed.
    assert rules("Blogs say \"about 90% of your body’s serotonin\".") == ["unsourced-number"]
    # The number outside the article's quote still needs a source.
    assert rules("Article D says 'most serotonin is in the gut', but 40 mice were used.") == ["unsourced-number"]


@pytest.mark.parametrize("text", [
    "# 3. Why 95% is not a measurement",
    "1. Tryptophan is hydroxylated first.",
    "See Lesson 2 and Quiz 5, section 3 and Fig. 1B.",
    "5-HT, 5-HTP, 5-HIAA, TPH1, TPH2, IL-6, IL-1β, CO2, IDO1 and the 5-HT3 receptor are names.",
    "Tryptophan 2,3-dioxygenase makes 3-hydroxykynurenine downstream.",
    "Clarke et al. 2013 and Gershon & Tack (2007) are cited by name.",
    "The model is BioModels MODEL1310160000 (PMID 24129579).",
    "**Quiz 1** (about 25 minutes): your instructor releases it.",
    "| **Time to learn** | about 60 minutes |",
    "Now set **TPH1 × 10**.",
    "Does the share rise 10-fold?",
    "Run `x = 5` and read `[0.1, 1.0]`.",
    "Open [00 Start here](00_start_here.ipynb) first.",
    "<details><summary>About the sources</summary>The abstract was read.</details>",
    "Article A and Articles B–E are labels.",
])
def test_false_positives_are_avoided(text):
    assert rules(text) == []


def test_seed_names_fail_anywhere():
    assert rules("Seed 003 says so.") == ["seed-name"]
    assert "seed-name" in rules("The articles (seeds 000–004) are teaching material.")
    assert "seed-name" in rules("Seed article 003 says so.")
    findings = ev.check_csv("source,where\nyano2015,Fig 1 of 003_2a9a1114d2b607e4.txt\n", ctx(), file="x.csv")
    assert [f.rule for f in findings] == ["seed-name"]


def test_unknown_article_label_fails():
    assert rules("Article F says so.") == ["unknown-article"]
    assert rules("Articles A–G disagree.") == ["unknown-article", "unknown-article"]


def test_data_rows_need_source_where_and_matching_tier():
    c = ctx()
    assert [f.rule for f in ev.check_csv("study,value\nyano2015,1\n", c)] == ["data-source"]
    good = "# comment\nsource,value,where,evidence_tier\nyano2015,1,Fig. 1,animal\n"
    assert ev.check_csv(good, c) == []
    bad = "source,value,where,evidence_tier\n,1,Fig. 1,animal\nnosuch,2,Fig. 2,animal\nyano2015,3,,review\n"
    assert sorted(f.rule for f in ev.check_csv(bad, c)) == [
        "data-source", "data-tier", "data-where", "unresolved-key"]
    lines = [f.cell for f in ev.check_csv(bad, c)]
    assert 2 in lines and 4 in lines


def test_bank_references_resolve_and_source_numbers():
    c = ctx()
    bank = {"lesson": "x", "questions": [
        {"id": "q1", "prompt": "How much is 17 vs 35 ng/mg?", "explanation": "17 vs 35 ng/mg in mice.",
         "references": ["yano2015"]},
        {"id": "q2", "prompt": "Which?", "explanation": "It is 35 ng/mg.", "references": ["nosuch"]},
        {"id": "q3", "prompt": "Which?", "explanation": "It is 35 ng/mg.",
         "options": [{"id": "a", "text": "Seed 003", "feedback": "No `[kim2018]`."}]},
    ]}
    findings, _ = ev.check_bank(bank, c, file="bank.yaml")
    got = sorted((f.cell, f.rule) for f in findings)
    assert got == [("q2", "unresolved-key"), ("q3 explanation", "unsourced-number"),
                   ("q3 options[a].feedback", "missing-tier"), ("q3 options[a].text", "seed-name")]


def test_uncited_reference_fails():
    c = ctx()
    ev.check_markdown("Mice `[yano2015]` *(animal)*.", c)
    assert {f.cell for f in ev.uncited_references(c)} == {"gershon2007", "kim2018", "trial2020"}


def test_duplicate_reference_keys_fail():
    text = "a2019:\n  year: 2019\nb2020:\n  year: 2020\na2019:\n  year: 2019\n"
    findings = ev.duplicate_references(text)
    assert [(f.cell, f.rule, f.text) for f in findings] == [(5, "duplicate-reference", "a2019")]


def test_notebook_cells_are_named_and_show_references_keys_resolve():
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# Title\n", "Clean `[yano2015]` *(animal)*."]},
        {"cell_type": "markdown", "source": "It was 50%."},
        {"cell_type": "code", "source": "show_references(['yano2015', 'nosuch'])"},
    ]}
    findings, cov = ev.check_notebook(nb, ctx(), file="l.ipynb")
    assert [(f.cell, f.rule) for f in findings] == [(1, "unsourced-number"), (2, "unresolved-key")]
    assert "It was 50%" in findings[0].text
    assert cov.citations == 1 and cov.tiered_citations == 1 and cov.numbers == 1 and cov.sourced_numbers == 0


def test_coverage_counts():
    _, cov = ev.check_markdown(
        "A `[yano2015]` *(animal)* has 5 mice. B `[kim2018]` has 3 mice. C has 2 mice. D is plain.", ctx())
    assert (cov.sentences, cov.cited_sentences) == (4, 2)
    assert (cov.citations, cov.tiered_citations) == (2, 1)
    assert (cov.numbers, cov.sourced_numbers) == (3, 2)


def test_cli_exit_codes(tmp_path, capsys):
    clean = tmp_path / "lessons" / "09_x.ipynb"
    clean.parent.mkdir()
    clean.write_text('{"cells": [{"cell_type": "markdown", "source": "Plain prose."}]}', encoding="utf-8")
    assert ev.main([str(clean), "--root", str(REPO)]) == 0
    dirty = tmp_path / "lessons" / "10_y.ipynb"
    dirty.write_text('{"cells": [{"cell_type": "markdown", "source": "It is 90%."}]}', encoding="utf-8")
    assert ev.main([str(dirty), "--root", str(REPO)]) == 1
    out = capsys.readouterr().out
    assert "unsourced-number" in out and "Coverage" in out


# ----------------------------------------------------------------------------- substance rules (fixtures)
def subst_ctx(**kw) -> ev.Context:
    from gutbrain.facts import Fact, Registry

    facts = (Fact("t-27", (27.0,), "%", "trial2020", "abstract", "in 27% of patients", "x"),
             Fact("t-range", (200.0, 600.0), "million", "gershon2007", "intro", "200-600 million", "x"))
    base = dict(references=dict(CTX_REFS), articles=frozenset("ABCDE"),
                registry=Registry(facts, frozenset({"x"}), ()),
                article_texts={"A": ev.normalise_quote("about 90% of your body’s serotonin is made here")},
                authors=frozenset({("yano", "2015"), ("gershon", "2007"), ("tack", "2007")}),
                ledger_verdicts=((ev.normalise_quote("about 90% of your body’s serotonin"), "overstated"),))
    base.update(kw)
    return ev.Context(**base)


def subst_rules(markdown: str, **kw) -> list[str]:
    findings, _ = ev.check_markdown(markdown, subst_ctx(), **kw)
    return [f.rule for f in findings]


def test_cited_numbers_must_match_a_fact():
    assert subst_rules("It was raised in 27% of patients `[trial2020]` *(human RCT)*.") == []
    assert subst_rules("It was raised in 72% of patients `[trial2020]` *(human RCT)*.") == ["unregistered-number"]
    # Rounded is fine, a range's bounds are fine, the sign is ignored.
    assert subst_rules("About 200 to 600 million neurons `[gershon2007]` *(review)*.") == []
    assert subst_rules("About 100 million neurons `[gershon2007]` *(review)*.") == ["unregistered-number"]
    # A fact from another reference does not count.
    assert subst_rules("It was raised in 27% of mice `[yano2015]` *(animal)*.") == ["unregistered-number"]
    # A bank question's references cite its texts.
    assert subst_rules("Raised in 72% of patients.", sourced_by=["trial2020"]) == ["unregistered-number"]
    assert subst_rules("Raised in 27% of patients.", sourced_by=["trial2020"]) == []
    # Numbers the course computes are marked, not registered.
    assert subst_rules("The ratio is 0.49 `[trial2020]` *(human RCT)* *(computed here)*.") == []
    # Numbers in a tier label's detail belong to the cited source too.
    assert subst_rules("Raised in 27% of patients `[trial2020]` *(human RCT; 99 trials)*.") == ["unregistered-number"]


@pytest.mark.parametrize("text, values", [
    ("seventy-two percent of people", [72]),
    ("four of five trials", [4, 5]),
    ("thirty studies were pooled", [30]),
    ("a ten-fold rise", [10]),
    ("two hundred million neurons", [200]),
    ("one strain, two tiers and one of the five articles", []),
])
def test_numbers_written_in_words_are_found(text, values):
    assert [v for _, v in ev.find_number_words(text)] == values


def test_quotes_attributed_to_an_article_are_verbatim():
    assert subst_rules("Article A says \"about 90% of your body’s serotonin\".") == []
    assert subst_rules("Article A says \"about 97% of your body’s serotonin\".") == ["quote-not-verbatim"]
    # Only the nearest label before a quote owns it; verdict names and short terms are not quotes.
    assert subst_rules("Michel says \"comparable to the spinal cord\", unlike Article A.") == []
    assert subst_rules("Article A is 'overstated' in the ledger.") == []


def test_author_year_mentions_must_name_a_reference():
    assert subst_rules("Yano 2015 and Gershon & Tack (2007) are cited by name.") == []
    assert subst_rules("Smithson et al. 2021 found it in people.") == ["unknown-source"]
    assert subst_rules("In 2021 a lab found it; Lesson 2 explains.") == []


def test_stated_verdicts_must_be_the_ledgers():
    assert subst_rules("The ledger marks Article A's “about 90% of your body’s serotonin” as *overstated*.") == []
    assert subst_rules("The ledger marks Article A's “about 90% of your body’s serotonin” as *supported*.") == [
        "verdict-mismatch"]


def test_every_tier_of_a_multi_tier_label_is_checked():
    assert subst_rules("Both `[yano2015, gershon2007]` *(animal / review)*.") == []
    assert subst_rules("Both `[yano2015, gershon2007]` *(animal / human RCT)*.") == ["tier-partly-wrong"]
    other = subst_ctx(other_tiers={"yano2015": ("in vitro",)})
    findings, _ = ev.check_markdown("Cells and mice `[yano2015]` *(animal / in vitro)*.", other)
    assert findings == []


@pytest.mark.parametrize("quote, value", [
    ("p = .251 (LOCF)", 0.251),
    ("37 studies, 13 541 depressed patients", 13541),
    ("HN001 12·0 (4·0)", 12.0),
    ("(PA) = 2-3 x 10(-3) ml/s/g", 0.003),
    ("EM samples from six further rats", 6),
    ("find 3.8×10^13 bacteria", 3.8e13),
])
def test_fact_quotes_are_read_in_the_notations_sources_use(quote, value):
    from gutbrain.facts import numbers_in

    assert any(abs(q - value) <= 1e-12 * max(1.0, abs(value)) for q in numbers_in(quote)), numbers_in(quote)


def test_an_invalid_fact_is_reported_and_the_files_other_facts_still_count(tmp_path):
    from gutbrain.facts import load_registry

    (tmp_path / "ledger.yaml").write_text(
        "- {id: good, value: 27, unit: '%', ref: trial2020, where: abstract, quote: 'in 27% of patients'}\n"
        "- {id: bad, value: 72, unit: '%', ref: trial2020, where: abstract, quote: 'in 27% of patients'}\n"
        "- {id: lost, value: 5, unit: '', ref: nosuch2000, where: abstract, quote: 'five [5] trials'}\n",
        encoding="utf-8")
    registry = load_registry(tmp_path, dict(CTX_REFS))
    assert [f.id for f in registry.facts] == ["good"]
    assert len(registry.problems) == 2 and "ledger" in registry.scopes
    assert any("72 does not appear" in p for p in registry.problems)
    assert any("nosuch2000" in p for p in registry.problems)


def test_confidence_level_and_spaced_thousands_are_read_as_people_write_them():
    assert ev.find_numbers("−0.30 (95% CI −0.51 to −0.09)") == ["0.30", "0.51", "0.09"]
    assert ev.find_numbers("13 541 depressed patients") == ["13 541"]


def test_model_multiplier_settings_are_settings_and_measured_folds_still_need_facts():
    # Settings of a multiplier slider named in a sentence about the model, explorer or lab.
    assert ev.find_numbers("In the immune-activation explorer, set IDO1 to × 100 and leave TDO2 at × 1.") == []
    assert ev.find_numbers("In the liver model, IDO1 goes from × 1 to × 30 (TDO2 × 1).") == []
    assert ev.find_numbers("At IDO1 × 100 the liver model sends about 21.6% through IDO1.") == ["21.6"]
    # Instructions and the givens of an exercise state no claim.
    assert subst_rules("Leave IDO1 at × 1 and raise TDO2 to × 3.") == []
    assert subst_rules("Assume a path of 0.6 m from the gut wall to the brainstem.") == []
    # The same shape measured in people, not set on a slider: a sourced number that needs its fact.
    assert subst_rules("IFN-α raised IDO1 × 3 in patients `[trial2020]` *(human RCT)*.") == ["unregistered-number"]
    # A fold not bound to a control name, and a sourced number beside a setting, still count.
    assert ev.find_numbers("In the model, Kyn/Trp rose × 3.") == ["3"]
    assert subst_rules("In the liver model, IDO1 goes from × 1 to × 30, as in 72% of patients "
                       "`[trial2020]` *(human RCT)*.") == ["unregistered-number"]
    assert subst_rules("In the liver model, IDO1 goes from × 1 to × 30, as in 27% of patients "
                       "`[trial2020]` *(human RCT)*.") == []


def test_multiplier_controls_are_the_course_sliders():
    from gutbrain.widgets.tryptophan import ENZYME_HELP

    assert set(ev.MULTIPLIER_CONTROLS) == set(ENZYME_HELP)
