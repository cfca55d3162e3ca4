"""The accessible slider keeps ipywidgets' contract: a value trait that observers follow."""
import pytest
import traitlets

from gutbrain.widgets.controls import LabelledSlider
from gutbrain.widgets.tryptophan import TryptophanExplorer


def test_value_changes_reach_observers_and_are_clamped_to_the_range():
    slider = LabelledSlider(label="TPH1 amount", value=1.0, min=0.1, max=10.0, step=0.05, scale="log")
    seen = []
    slider.observe(lambda change: seen.append(change["new"]), names="value")
    slider.value = 3.0
    slider.value = 50.0
    slider.value = 0.0
    assert seen == [3.0, 10.0, 0.1]


def test_rejects_nan_and_impossible_ranges():
    slider = LabelledSlider(label="x", value=1.0, min=0.0, max=2.0, step=0.1)
    with pytest.raises(traitlets.TraitError, match="must be a number"):
        slider.value = float("nan")
    with pytest.raises(ValueError, match="log scale"):
        LabelledSlider(label="y", value=1.0, min=0.0, max=2.0, step=0.1, scale="log")
    with pytest.raises(ValueError, match="scale must be"):
        LabelledSlider(label="z", value=1.0, min=0.0, max=2.0, step=0.1, scale="cubic")


def test_every_explorer_control_has_a_visible_label():
    explorer = TryptophanExplorer(enzymes=("TPH1", "TPH2", "TDO2", "IDO1", "DDC", "MAO"))
    labels = [control.label for control in explorer.controls]
    assert all(labels) and len(set(labels)) == len(labels)


def test_moving_a_control_updates_figure_and_text():
    explorer = TryptophanExplorer()
    before_x, before_text = explorer.figure.data[0].x, explorer.summary.value
    explorer.enzyme_sliders["TDO2"].value = 0.1
    assert explorer.figure.data[0].x[0] > before_x[0]  # serotonin branch share rises
    assert explorer.summary.value != before_text


def test_choice_group_accepts_only_its_options():
    from gutbrain.widgets.controls import ChoiceGroup

    group = ChoiceGroup(options=[("Tryptophan hydroxylase", "a"), ("MAO-A", "b")])
    assert group.value is None
    group.value = "b"
    with pytest.raises(traitlets.TraitError, match="not one of the options"):
        group.value = "z"
    assert group.value == "b"


def test_choice_group_takes_a_choice_sent_as_its_own_message():
    """The page also sends each choice as a custom message (never held back behind an earlier state
    update, unlike ipywidgets' throttled updates), so a Check pressed at once sees the new choice."""
    from gutbrain.widgets.controls import ChoiceGroup

    group = ChoiceGroup(options=[("Tryptophan hydroxylase", "a"), ("MAO-A", "b")])
    group._on_choose(group, {"type": "choose", "value": "b"}, [])
    assert group.value == "b"
    group._on_choose(group, {"type": "choose", "value": "<script>"}, [])  # not an option: ignored
    group._on_choose(group, "nonsense", [])
    assert group.value == "b"
