"""Shared paths and helpers of the package's tests: the repository's fixtures, assets and
golden MD5s."""

import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
BAD = FIXTURES / "bad"
GOLDEN = REPO / "tests" / "golden" / "MD5SUMS"

# The golden set's option variants (tests/golden/cases.rs), as keyword arguments.
VARIANTS = {
    "dither=none": {"dither": "none"},
    "normalize=loudness": {"normalize": "loudness"},
    "normalize=peak:-3": {"normalize": "peak:-3"},
    "start=0.1 length=0.12": {"start": 0.1, "length": 0.12},
    "max_bytes=16000": {"max_bytes": 16000},
    "trim_silence=-50 gain=-4": {"trim_silence": -50, "gain_db": -4},
    # cases.rs adds 3 dB of gain to this variant, so that something clips.
    "channel=left clip": {"channel": "left", "clip": True, "gain_db": 3},
}


def golden_cases():
    """(md5, relative path, variant name, keywords) for every line of tests/golden/MD5SUMS."""
    cases = []
    for line in GOLDEN.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        md5, name = line[:32], line[34:]
        path, _, variant = name.partition(" ")
        if variant and variant not in VARIANTS:
            raise AssertionError(f"golden variant {variant!r} has no keywords in conftest.py")
        cases.append((md5, path, variant, VARIANTS.get(variant, {})))
    return cases


@pytest.fixture(scope="session")
def repo():
    return REPO
