"""Headless Chromium for render tests: a page to a PNG, and every URL the page asked for while it loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--hide-scrollbars"]


def chromium() -> str:
    """Debian's chromium (installed by .ci/setup); the test is skipped only when it is absent outside CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        import os
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/setup should have installed Debian's chromium")
        pytest.skip("chromium is not installed (run bash .ci/setup)")
    return found


def render(page: Path, png: Path, width: int = 1200, height: int = 1600) -> list[str]:
    """Screenshot ``page`` to ``png`` and return every URL requested that is not the page itself."""
    profile = png.parent / f".chromium-{png.stem}"
    netlog = png.parent / f"{png.stem}.netlog.json"
    subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
                    f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert png.exists() and png.stat().st_size > 0, "chromium wrote no screenshot"
    return [u for u in requested_urls(netlog) if u != page.resolve().as_uri()]


def requested_urls(netlog: Path) -> list[str]:
    """URLs the page itself requested, from a Chromium net log: Chromium's own background requests (update
    checks and the like, initiated by no origin) and data: URLs (part of the page) are not counted."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
    if not text.endswith("}"):
        text += "]}"  # chromium may be stopped before it closes the log's event list
    try:
        events = json.loads(text).get("events", [])
    except json.JSONDecodeError:
        events = []
    urls = []
    for event in events:
        params = event.get("params") or {}
        if params.get("initiator", "not an origin") == "not an origin":
            continue
        url = params.get("url")
        if url and not url.startswith(("data:", "about:", "chrome:", "devtools:")) and url not in urls:
            urls.append(url)
    return urls


def not_blank(png: Path) -> float:
    """The share of pixels that are not the page's background colour (0.0 for a blank page)."""
    from PIL import Image

    with Image.open(png) as im:
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 24) or []
        total = rgb.width * rgb.height
    background = max(colours)[0] if colours else total
    return 1 - background / total
