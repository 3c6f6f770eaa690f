"""The guide's figures: ``make_figures.py --quick`` draws them all, the
committed ones are small, and every one the chapters show exists;
``plainnet demo --plot`` draws chapter 1's."""

import re
import runpy
import sys
from pathlib import Path

import pytest

from plainnet import cli

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"
SHOWN = sorted(
    {
        name
        for page in GUIDE.glob("*.md")
        for name in re.findall(r"\(figures/([\w.-]+\.png)\)", page.read_text("utf-8"))
    }
)


def test_make_figures_quick_draws_every_figure_the_guide_shows(tmp_path, monkeypatch):
    monkeypatch.setattr(
        sys, "argv", ["make_figures.py", "--quick", "--out", str(tmp_path)]
    )
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(GUIDE / "make_figures.py"), run_name="__main__")
    assert done.value.code == 0
    drawn = {path.name for path in tmp_path.glob("*.png")}
    assert set(SHOWN) <= drawn


@pytest.mark.parametrize("name", SHOWN)
def test_committed_figures_are_small_pngs(name):
    path = GUIDE / "figures" / name
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size < 100_000


def test_demo_plot_draws_chapter_1(tmp_path, capsys):
    path = tmp_path / "neuron.png"
    assert cli.main(["demo", "--iterations", "200", "--plot", str(path)]) == 0
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert f"plot saved to {path}" in capsys.readouterr().out
