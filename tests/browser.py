"""Headless Chromium for the page tests: Debian's chromium and chromedriver, never a download.

Skipped locally when either is missing; required in CI (``CI=true``)."""

import os
import shutil

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver"
                                          if os.path.exists("/usr/bin/chromedriver") else None)
# without the background-networking flags Chromium keeps calling hosts this machine cannot reach


def flags(width, height):
    return ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--window-size={width},{height}")
