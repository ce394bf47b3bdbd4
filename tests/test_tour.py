"""The tour's report and figures agree, and name their source."""

import io
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "doc" / "sphinxext"))

# a number as a title prints it: 0.4004, -1.72, 5853 (digits with a decimal
# point, or a whole number of four or more digits such as an ESS)
NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d+|\d{4,})(?![\w.])")


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    pytest.importorskip("matplotlib")
    from gallery_tools import blank_panels, clipped_texts

    from skgenfund._tour import report as tour_report
    from skgenfund._tour import run_tour

    # check each figure as it is saved: no empty panel, no text off the canvas
    problems = {}
    save = tour_report.TourReport.figure

    def checked(self, fig, filename, caption):
        problems[filename] = (blank_panels(fig), clipped_texts(fig))
        return save(self, fig, filename, caption)

    tour_report.TourReport.figure = checked
    try:
        out = tmp_path_factory.mktemp("tour")
        stream = io.StringIO()
        report = run_tour(out, stream=stream)
    finally:
        tour_report.TourReport.figure = save
    report.problems = problems
    return report, report.path.read_text(encoding="utf-8"), stream.getvalue()


def test_no_blank_panel_and_no_text_cut_off(tour):
    report, _, _ = tour
    bad = {name: found for name, found in report.problems.items() if any(found)}
    assert not bad, f"(blank panels, clipped texts) per figure: {bad}"


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
