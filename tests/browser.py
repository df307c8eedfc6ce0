"""Headless Chromium for the page tests: Debian's chromium and chromedriver, never a download.

Skipped locally when either is missing; required in CI (``CI=true``)."""

import contextlib
import os
import shutil
import tempfile

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver"
                                          if os.path.exists("/usr/bin/chromedriver") else None)
# without the background-networking flags Chromium keeps calling hosts this machine cannot reach


def flags(width, height):
    return ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--window-size={width},{height}")


def missing():
    """Why the browser cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not CHROMIUM or not DRIVER:
        return "chromium and chromium-driver are not installed (apt-get install chromium " \
               "chromium-driver)"
    return None


def require(reason, what):
    """Skip locally when ``reason`` is not None; in CI fail instead, naming ``what``."""
    import pytest

    if reason:
        if IN_CI:
            pytest.fail(f"{what} must run in CI: {reason}")
        pytest.skip(reason)


@contextlib.contextmanager
def chromium(width, height, prefix):
    """A headless Chromium driver in a throw-away profile: offline (the driver's path is
    given, so Selenium Manager never runs, and it downloads nothing if asked), no telemetry."""
    os.environ["SE_OFFLINE"] = "true"
    os.environ["SE_AVOID_STATS"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix=prefix)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in flags(width, height) + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
