"""The course map is built from the lessons present, and every lesson follows the template."""
import json

import pytest

from gutbrain.course import course_map_html, lessons, read_lesson, references_html
from gutbrain.data import AssetError

from course_files import LESSONS


def test_every_lesson_has_valid_metadata():
    found = lessons()
    assert [lesson.slug for lesson in found][0] == "00_start_here"
    assert len(found) == len(LESSONS)
    numbers = [lesson.number for lesson in found]
    assert len(set(numbers)) == len(numbers), "two lessons share a number"


def test_prerequisites_name_existing_lessons():
    slugs = {lesson.slug for lesson in lessons()}
    for lesson in lessons():
        assert set(lesson.prerequisites) <= slugs, lesson.slug


def test_course_map_grows_with_the_lessons(tmp_path):
    meta = {"number": 7, "title": "A new lesson", "goal": "Do a new thing well.", "minutes": 30,
            "prerequisites": [], "objectives": ["x"]}
    nb = {"cells": [], "metadata": {"gutbrain": meta}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "07_new.ipynb").write_text(json.dumps(nb))
    table = course_map_html(lessons(tmp_path))
    assert "A new lesson" in table and "30 min" in table and 'href="07_new.ipynb"' in table


def test_bad_lesson_metadata_names_the_file(tmp_path):
    path = tmp_path / "03_bad.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {"gutbrain": {"number": 3}}}))
    with pytest.raises(AssetError, match="03_bad.ipynb.*metadata.gutbrain"):
        read_lesson(path)
    path.write_text("{not json")
    with pytest.raises(AssetError, match="cannot read"):
        read_lesson(path)


def test_references_render_and_unknown_keys_fail():
    html = references_html(["stavrum2013"])
    assert "10.1074/jbc.M113.474908" in html and "(model)" in html
    with pytest.raises(AssetError, match="nobody2099"):
        references_html(["nobody2099"])
