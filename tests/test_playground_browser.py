"""The playground's page in a real browser, used as a person would: headless
Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by selenium.
Without them the tests that need the browser are skipped, saying which
packages to install."""

import contextlib
import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plainnet as pn
from cli_helpers import environment, write_flowers
from playground_helpers import guide_links, server_of, session_of, wait_for

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
HAS_CHROMIUM = (
    os.path.exists(CHROMIUM)
    and os.path.exists(CHROMEDRIVER)
    and importlib.util.find_spec("selenium") is not None
)
SEED_NEURON, XOR = guide_links()["seed"], guide_links()["xor"]


@pytest.fixture(scope="module")
def screenshots():
    """The screenshot script as a module: its ``chromium`` starts the browser."""
    if not HAS_CHROMIUM:
        pytest.skip(
            "needs headless Chromium: apt-get install chromium chromium-driver "
            "(Debian's packages) and pip install selenium"
        )
    return runpy.run_path(str(GUIDE / "make_screenshots.py"))


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(screenshots, downloads):
    driver = screenshots["chromium"](str(downloads))
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(downloads)},
    )
    yield driver
    driver.quit()


@pytest.fixture
def open_page(browser):
    """``open_page(link, **session options)``: a server of that setup, its page
    open in the browser; returns the session."""
    with contextlib.ExitStack() as stack:

        def start(link="", **options):
            session = stack.enter_context(session_of(link, **options))
            server = stack.enter_context(server_of(session))
            browser.get(server.url())
            # the page has drawn the server's run (before that, it shows "ready")
            wait_for(lambda: browser.execute_script("return page.run !== null"))
            session.server = server
            return session

        yield start


def find(browser, id_):
    return browser.find_element("id", id_)


def text(browser, id_) -> str:
    return find(browser, id_).text


def choose(browser, id_, value):
    from selenium.webdriver.support.ui import Select

    Select(find(browser, id_)).select_by_value(value)


def type_into(browser, id_, value):
    from selenium.webdriver.common.keys import Keys

    box = find(browser, id_)
    wait_for(box.is_displayed)  # shown once the page has the data it is for
    # select what the field holds and type over it, as a person does: clear()
    # leaves the field, and an answer arriving then would fill it again
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)  # leaving the field fires "change"


def legend(browser) -> list[str]:
    """The classes the legend names (read at once: the page replaces them)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#legend li')].map(li => li.textContent)"
    )


def shown_number(browser, id_) -> float:
    return float(text(browser, id_))


def wait_until_drawn(browser, epoch: int) -> None:
    boundary = find(browser, "boundary")
    wait_for(lambda: boundary.get_attribute("data-epoch") == str(epoch))


def pause(browser) -> int:
    """Press Pause and return the epoch the page shows once it stops."""
    find(browser, "start").click()
    wait_for(lambda: text(browser, "status") == "paused")
    epoch = int(text(browser, "epoch").replace(",", ""))
    wait_until_drawn(browser, epoch)
    return epoch


def boundary_classes(browser, grid: int = 8):
    """The class each of ``grid`` x ``grid`` places of the drawing shows, as a
    person reads it (the colour against the legend's), with their positions in
    the features' units."""
    legend = browser.execute_script(
        "return [...document.querySelectorAll('#legend .swatch')]"
        ".map(s => getComputedStyle(s).backgroundColor)"
    )
    colours = np.array([[int(v) for v in c[4:-1].split(",")] for c in legend], float)
    extent = np.array(
        browser.execute_script(
            "return JSON.parse(arguments[0].dataset.extent)", find(browser, "boundary")
        )
    )
    places = (np.arange(grid) + 0.5) / grid * 320
    pixels = np.array(
        browser.execute_script(
            "const c = arguments[0].getContext('2d'); return arguments[1].flatMap(y =>"
            " arguments[1].map(x => [...c.getImageData(x, y, 1, 1).data].slice(0, 3)))",
            find(browser, "boundary"),
            places.tolist(),
        ),
        float,
    )
    # a pale class colour: white plus a share of (colour - white)
    away = 255 - pixels
    towards = 255 - colours
    cosine = (
        away
        @ towards.T
        / (
            np.linalg.norm(away, axis=1, keepdims=True)
            * np.linalg.norm(towards, axis=1)
            + 1e-9
        )
    )
    left, right, bottom, top = extent
    x = left + places / 320 * (right - left)
    y = top - places / 320 * (top - bottom)
    points = np.array([[a, b] for b in y for a in x])
    return cosine.argmax(axis=1), points


# -- a person's afternoon ----------------------------------------------------------
def test_choose_train_watch_download_and_run_the_code(
    open_page, browser, downloads, tmp_path
):
    session = open_page()
    choose(browser, "data", "circles")
    wait_for(lambda: "data=circles" in browser.current_url)
    wait_for(
        lambda: text(browser, "x-label") == "x1" and session.run.setup.data == "circles"
    )
    find(browser, "start").click()
    wait_for(lambda: text(browser, "loss") not in ("", "\u2013"))
    first = shown_number(browser, "loss")
    wait_for(lambda: shown_number(browser, "loss") < first / 3)
    epoch = pause(browser)

    # each neuron is drawn: its picture is not blank
    assert browser.execute_script(
        "return [...document.querySelectorAll('.node')].every(n => n.getContext('2d')"
        ".getImageData(0, 0, n.width, n.height).data.some(v => v < 250))"
    )

    # the drawing says what the network says, away from the boundary
    for old in downloads.glob("*"):
        old.unlink()
    find(browser, "download").click()
    model = downloads / "playground.npz"
    wait_for(lambda: model.exists() and not list(downloads.glob("*.crdownload")))
    net = pn.load(model)
    assert len(net.history.loss) == epoch
    shown, points = boundary_classes(browser)
    proba = net.predict_proba(points)
    sure = proba.max(axis=1) > 0.8
    assert sure.sum() >= 20
    np.testing.assert_array_equal(shown[sure], proba.argmax(axis=1)[sure])

    # the code trains the same network again
    find(browser, "show-code").click()
    wait_for(lambda: text(browser, "code").startswith('"""The circles data'))
    script = tmp_path / "again.py"
    script.write_text(text(browser, "code") + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout == f"after {epoch} epochs: loss {net.history.loss[-1]!r}\n"
    again = pn.load(tmp_path / "playground.npz")
    np.testing.assert_array_equal(again.parameters, net.parameters)


def test_a_neuron_shows_its_formula_with_its_numbers(open_page, browser):
    session = open_page(SEED_NEURON)
    for _ in range(3):
        find(browser, "step").click()
    wait_until_drawn(browser, 3)
    browser.find_element("css selector", '.node[data-layer="0"][data-unit="0"]').click()
    weights = session.run.net.layers[0].params["W"].ravel()
    terms = [f"{float(f'{abs(w):.3g}')}".removesuffix(".0") for w in weights]
    formula = text(browser, "formula")
    assert formula.startswith("p(1) = sigmoid(w \u00b7 x)\n")
    for term, name in zip(terms, ("x1", "x2", "x3"), strict=True):
        assert f"{term}\u00b7{name}" in formula


def test_the_address_keeps_the_setup(open_page, browser):
    open_page()
    find(browser, "add-layer").click()
    wait_for(lambda: "hidden=8,8,4" in browser.current_url)
    link = browser.current_url
    wait_for(
        lambda: len(browser.find_elements("css selector", ".node")) == 8 + 8 + 4 + 2
    )
    browser.get(link.split("#")[0] + XOR)  # a guide's link
    wait_for(lambda: find(browser, "data").get_attribute("value") == "xor")
    assert find(browser, "samples").get_attribute("value") == "4"
    assert find(browser, "loss-name").get_attribute("value") == "sse"
    wait_for(lambda: len(browser.find_elements("css selector", ".node")) == 4 + 1)
    browser.get(link)
    wait_for(lambda: find(browser, "hidden").get_attribute("value") == "8,8,4")


def test_bad_settings_are_said_on_the_page(open_page, browser):
    open_page()
    type_into(browser, "lr-value", "-1")
    wait_for(lambda: find(browser, "error").is_displayed())
    assert "lr must be a number above 0" in text(browser, "error")
    type_into(browser, "lr-value", "0.03")
    wait_for(lambda: not find(browser, "error").is_displayed())
    choose(browser, "loss-name", "sse")
    choose(browser, "data", "spirals")
    type_into(browser, "classes", "3")
    wait_for(lambda: "loss sse gives one output" in text(browser, "error"))


def test_a_csv_file_uploaded_on_the_page(open_page, browser, tmp_path):
    open_page()
    choose(browser, "data", "csv")
    wait_for(lambda: "no CSV file: upload one" in text(browser, "error"))
    wait_for(find(browser, "upload").is_displayed)
    table = write_flowers(tmp_path / "flowers.csv")
    find(browser, "upload").send_keys(str(table))
    wait_for(lambda: legend(browser) == ["setosa", "versicolor", "virginica"])
    assert find(browser, "target").get_attribute("value") == "species"
    assert text(browser, "x-label") == "sepal_length"
    choose(browser, "x_axis", "petal_length")
    wait_for(lambda: text(browser, "x-label") == "petal_length")
    find(browser, "start").click()
    wait_for(lambda: text(browser, "loss") not in ("", "\u2013"))
    first = shown_number(browser, "loss")
    wait_for(lambda: shown_number(browser, "loss") < first / 2)


def test_the_screenshots_are_drawn(screenshots, tmp_path):
    assert screenshots["main"](["--quick", "--out", str(tmp_path)]) == 0
    for name in screenshots["SHOTS"]:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["playground-spirals.png", "playground-xor.png"])
def test_the_committed_screenshots_are_small_pngs(name):
    path = GUIDE / "screenshots" / name
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size < 200_000
