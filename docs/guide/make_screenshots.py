"""Take the screenshots of the playground that README.md and the guide show
(docs/guide/screenshots/*.png): the real page in headless Chromium, after the
real server trained the network.

    python docs/guide/make_screenshots.py            # into docs/guide/screenshots
    python docs/guide/make_screenshots.py --quick    # fewer epochs: a smoke test
    python docs/guide/make_screenshots.py --out DIR  # somewhere else

Needs Debian's ``chromium`` and ``chromium-driver`` packages and selenium. The
tests run ``--quick --out TMP`` (skipped without Chromium).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from plainnet.playground.server import PlaygroundServer
from plainnet.playground.session import Session
from plainnet.playground.settings import setup_from_link

HERE = Path(__file__).resolve().parent
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# Chromium on its own: no network of its own, no first-run pages, no sandbox
# (tests run as root), a profile of its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

#: name: (the page's settings, epochs, the neuron clicked: layer, unit)
SHOTS = {
    "playground-spirals.png": (
        "data=spirals&classes=3&samples=300&noise=0.05&hidden=10,10"
        "&activation=relu&lr=0.01&batch=16",
        500,
        (1, 2),
    ),
    "playground-xor.png": (
        "data=xor&samples=4&split=0&hidden=4&activation=sigmoid&init=uniform"
        "&loss=sse&optimizer=sgd&lr=1&batch=0",
        3000,
        (1, 0),
    ),
}
WIDTH, HEIGHT = 1280, 1000


def chromium(downloads: str | None = None) -> webdriver.Chrome:
    """Headless Chromium through Debian's chromedriver, with a fresh profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        *FLAGS,
        f"--user-data-dir={tempfile.mkdtemp()}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(flag)
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": downloads,
                "download.prompt_for_download": False,
            },
        )
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.execute_cdp_cmd(  # the page's size, whatever the window's frame
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    return browser


def wait_for(condition, seconds: float = 120.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the page did not get there")
        time.sleep(0.05)


def screenshot(browser, link: str, epochs: int, neuron: tuple[int, int], path: Path):
    """Train ``epochs`` epochs of the setup ``link`` and photograph the page
    once it draws the last one, with ``neuron``'s formula shown."""
    session = Session(setup_from_link(link), epochs=epochs, say=lambda line: None)
    server = PlaygroundServer(session)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(server.url())
        session.control("start")
        boundary = browser.find_element("id", "boundary")
        wait_for(lambda: boundary.get_attribute("data-epoch") == str(epochs))
        layer, unit = neuron
        selector = f'.node[data-layer="{layer}"][data-unit="{unit}"]'
        browser.find_element("css selector", selector).click()
        time.sleep(0.3)  # the page's next poll
        browser.save_screenshot(str(path))
        _fewer_colours(path)
    finally:
        server.shutdown()
        server.server_close()
        session.close()


def _fewer_colours(path: Path) -> None:
    """Rewrite the PNG with a palette of 256 colours (a third of the bytes),
    when Pillow is there (matplotlib brings it)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        fewer = image.convert("RGB").quantize(256, dither=Image.Dither.NONE)
    fewer.save(path, optimize=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "screenshots")
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    try:
        for name, (link, epochs, neuron) in SHOTS.items():
            epochs = min(epochs, 30) if args.quick else epochs
            screenshot(browser, link, epochs, neuron, args.out / name)
            print(f"wrote {args.out / name}")
    finally:
        browser.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
