#!/usr/bin/env python3
"""browser_check: open ringforge report pages in headless Chromium (Selenium) and check them.

Usage: browser_check.py REPORT_DIR LARGE_REPORT_DIR SCREENSHOT.png

REPORT_DIR (a report of the repository's assets plus one failed file):
  - every <audio> preview loads, and its duration is the tone's (data-duration) to 1 ms;
  - the browser console has no errors;
  - on a 400 px wide window nothing is wider than the window (readable on a phone);
  - a screenshot is taken (SCREENSHOT.png) and is not blank (pixel variance).
LARGE_REPORT_DIR (500 tones): the page loads (load event) in under 5 s.
Exit status 1 when a check fails.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--autoplay-policy=no-user-gesture-required"]

LOAD_PREVIEWS = """
const done = arguments[arguments.length - 1];
const audios = Array.from(document.querySelectorAll('audio'));
Promise.all(audios.map(a => new Promise(resolve => {
  const report = ok => resolve({src: a.getAttribute('src'), ok,
      duration: a.duration, expected: parseFloat(a.dataset.duration),
      error: a.error ? a.error.code : null});
  a.addEventListener('loadedmetadata', () => report(true), {once: true});
  a.addEventListener('error', () => report(false), {once: true});
  a.preload = 'metadata';
  a.load();
}))).then(done);
"""


def browser(user_data):
    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data}")
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check_report(driver, page, screenshot):
    failures = []
    driver.set_window_size(1100, 1600)
    driver.get(page.as_uri())
    driver.set_script_timeout(60)
    previews = driver.execute_async_script(LOAD_PREVIEWS)
    if not previews:
        failures.append("no <audio> preview on the page")
    for p in previews:
        if not p["ok"] or abs(p["duration"] - p["expected"]) > 0.001:
            failures.append(f"preview {p['src']}: loaded={p['ok']} duration={p['duration']} "
                            f"expected={p['expected']} error={p['error']}")
        else:
            print(f"  preview {p['src']}: {p['duration']:.4f} s (expected {p['expected']:.4f})")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    for e in errors:
        failures.append(f"console error: {e['message']}")
    print(f"  console: {len(errors)} error(s)")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(screenshot))
    img = Image.open(screenshot).convert("L")
    pixels = list(img.getdata())
    spread = statistics.pstdev(pixels)
    print(f"  screenshot {screenshot}: {img.size[0]}x{img.size[1]}, pixel std dev {spread:.1f}")
    if spread < 10:
        failures.append(f"screenshot looks blank (pixel std dev {spread:.1f})")
    driver.set_window_size(400, 900)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    print(f"  at 400 px wide: {overflow} px wider than the window")
    if overflow > 0:
        failures.append(f"at 400 px the page is {overflow} px wider than the window")
    return failures


def check_load_time(driver, page):
    driver.set_window_size(1100, 1600)
    start = time.monotonic()
    driver.get(page.as_uri())  # returns once the load event has fired
    wall = time.monotonic() - start
    timing = driver.execute_script(
        "const t = performance.getEntriesByType('navigation')[0];"
        "return [t.loadEventEnd, document.querySelectorAll('section.tone').length];")
    print(f"  {timing[1]} tones: load event after {timing[0]:.0f} ms ({wall:.2f} s wall)")
    failures = []
    if timing[1] < 500:
        failures.append(f"large report has {timing[1]} tones, expected 500")
    if max(timing[0] / 1000, wall) >= 5.0:
        failures.append(f"500-tone report took {max(timing[0] / 1000, wall):.2f} s to load")
    return failures


def main():
    report, large, screenshot = (Path(a).resolve() for a in sys.argv[1:4])
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile)
        try:
            print(f"report {report}")
            failures = check_report(driver, report / "index.html", screenshot)
            print(f"large report {large}")
            failures += check_load_time(driver, large / "index.html")
        finally:
            driver.quit()
    for f in failures:
        print(f"FAILED: {f}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
