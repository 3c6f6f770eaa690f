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


def test_the_divergence_panel_draws_every_kept_loss_and_the_runaway(tmp_path):
    drawn = {}
    figures = runpy.run_path(str(GUIDE / "make_figures.py"))
    chapter6 = figures["chapter6"]
    chapter6.__globals__["save"] = lambda fig, out, name: drawn.update({name: fig})
    chapter6(tmp_path, quick=True)
    divergence = drawn["06-failures.png"].axes[0]
    assert divergence.get_yscale() == "log"
    lines = divergence.get_lines()
    diverged, runaway, fine = (line.get_ydata() for line in lines[:3])
    assert len(diverged) == 2 and diverged[-1] > 100 * diverged[0]  # it climbs
    assert len(runaway) == 1 and runaway[0] > 1000 * diverged[0]  # the stop, marked
    assert len(fine) == 30 and max(fine) < 10
