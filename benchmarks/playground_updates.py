"""How often the playground's page gets a new drawing, and whether watching
slows the training: the page's default setup (moons, a 2-8-8-2 tanh network,
Adam, batch 32), trained by the playground's own session and server.

    python benchmarks/playground_updates.py [--seconds 5] [--rounds 2] [--browser]

Each round trains ``--seconds`` without a client, then as long with a client
polling ``/api/state`` as the page does (the same query, a 40 ms pause after
each answer), and counts the epochs trained and the new drawings the client
got. The rounds alternate so that load from elsewhere hits both alike; the
ratio of each round's pair is printed, and their median.
``--browser`` also opens the page itself in headless Chromium (Debian's
``chromium`` and ``chromium-driver``, and selenium) and reads the rate the page
shows. Target: at least 10 drawings a second, and epochs a second with the
page open not much below those without it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# Measure the checkout's plainnet, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from plainnet.playground.server import TOKEN_HEADER, PlaygroundServer
from plainnet.playground.session import Session
from plainnet.playground.settings import Setup

POLL_SECONDS = 0.04  # as the page's POLL_MS


def epochs_during(session: Session, seconds: float, client=None) -> tuple[float, int]:
    """Epochs a second while ``client(stop_event)`` runs (or nothing), and
    what the client returned."""
    start_epoch, start = session.run.snapshot.epoch, time.perf_counter()
    stop = threading.Event()
    result = [0]
    thread = None
    if client is not None:
        thread = threading.Thread(target=lambda: result.__setitem__(0, client(stop)))
        thread.start()
    time.sleep(seconds)
    stop.set()
    if thread is not None:
        thread.join()
    elapsed = time.perf_counter() - start
    return (session.run.snapshot.epoch - start_epoch) / elapsed, result[0]


def polling_client(server: PlaygroundServer):
    """A client asking for the state as the page does; returns the number of
    new drawings it received."""

    def poll(stop: threading.Event) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
        headers = {
            TOKEN_HEADER: server.token,
            "Host": f"127.0.0.1:{server.server_port}",
        }
        run, epochs, drawn, seen = "", 0, None, 0
        while not stop.is_set():
            connection.request(
                "GET", f"/api/state?run={run}&since={epochs}", headers=headers
            )
            state = json.loads(connection.getresponse().read())
            if state["run"] != run:
                run, epochs = state["run"], 0
            epochs = state["history"]["from"] + len(state["history"]["loss"])
            if state["drawing"]["version"] != drawn:
                drawn, seen = state["drawing"]["version"], seen + 1
            time.sleep(POLL_SECONDS)
        connection.close()
        return seen

    return poll


def browser_rate(server: PlaygroundServer, seconds: float) -> str:
    """The rate the page shows after ``seconds`` in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tempfile.mkdtemp()}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(server.url())
        time.sleep(seconds)
        return driver.find_element("id", "rate").text
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    session = Session(Setup(), say=lambda line: None)
    server = PlaygroundServer(session)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    session.control("start")
    time.sleep(1.0)  # past the first, slower fit calls
    try:
        alone, watched, drawings = [], [], []
        for _ in range(args.rounds):
            alone.append(epochs_during(session, args.seconds)[0])
            rate, seen = epochs_during(session, args.seconds, polling_client(server))
            watched.append(rate)
            drawings.append(seen / args.seconds)
        print("setup: moons, 2-8-8-2 tanh, Adam(0.03), batch 32 (160 training points)")
        print(f"epochs a second, nobody watching:    {_list(alone)}")
        print(f"epochs a second, a page polling:     {_list(watched)}")
        ratios = sorted(w / a for w, a in zip(watched, alone, strict=True))
        print(f"ratio watched / alone, per round:    {_list(ratios, 2)}")
        print(f"median ratio:                        {statistics.median(ratios):.2f}")
        print(f"new drawings a second to the page:   {_list(drawings)}")
        if args.browser:
            print(f"the page in Chromium says:           {browser_rate(server, 5.0)}")
    finally:
        server.shutdown()
        server.server_close()
        session.close()
    return 0


def _list(values: list[float], digits: int = 1) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
