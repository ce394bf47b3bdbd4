"""The tour's report and figures agree, and name their source."""

import io
import re

import pytest

# a number as a title prints it: 0.4004, -1.72, 5853 (digits with a decimal
# point, or a whole number of four or more digits such as an ESS)
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d+|\d{4,})(?![\w.])")


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    pytest.importorskip("matplotlib")
    from skgenfund._tour import run_tour

    out = tmp_path_factory.mktemp("tour")
    stream = io.StringIO()
    report = run_tour(out, stream=stream)
    return report, report.path.read_text(encoding="utf-8"), stream.getvalue()


def test_every_title_number_is_a_report_number(tour):
    report, markdown, _ = tour
    assert report.titles, "the tour recorded no figure titles"
    missing = [
        (figure, title, number)
        for figure, titles in report.titles.items()
        for title in titles
        for number in NUMBER.findall(title)
        if not re.search(rf"(?<![\w.]){re.escape(number)}(?![\d])", markdown)
    ]
    assert not missing, f"numbers in figure titles not in report.md: {missing}"


def test_report_names_its_source_once_then_by_name(tour):
    _, markdown, printed = tour
    opening = markdown.split("\n## ")[0]
    assert "the chapter *Fundamentals of Generative Models*" in opening
    assert "*Fundamentals of Generative Models*" in printed
    # after the opening the chapter is named, never "the chapter" alone
    body = markdown[len(opening):]
    assert not re.search(r"\bthe chapter\b(?! \*Fundamentals)", body, re.I), body


def test_every_figure_is_linked_and_has_titles(tour):
    report, markdown, _ = tour
    for path in report.figures:
        assert f"]({path.name})" in markdown
        assert report.titles[path.name], f"{path.name} has no title"
