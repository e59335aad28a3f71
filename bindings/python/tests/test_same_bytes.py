"""Same bytes everywhere: the package makes exactly the tones the command line and the library
make, on every golden case (every good fixture and asset, with and without options)."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

import ringforge
from conftest import FIXTURES, REPO, golden_cases

CASES = golden_cases()


def test_the_golden_set_is_all_there():
    assert len(CASES) > 100
    defaults = [c for c in CASES if not c[2]]
    assert len(defaults) >= 50, "every good fixture and asset with the default options"


@pytest.mark.parametrize(
    "md5,path,variant,keywords", CASES, ids=[f"{c[1]} {c[2]}".strip() for c in CASES]
)
def test_golden_md5_from_a_path(md5, path, variant, keywords):
    tone = ringforge.convert_path(REPO / path, **keywords)
    assert tone.md5 == md5


@pytest.mark.parametrize(
    "md5,path", [(c[0], c[1]) for c in CASES if not c[2]], ids=[c[1] for c in CASES if not c[2]]
)
def test_golden_md5_from_bytes(md5, path):
    data = (REPO / path).read_bytes()
    tone = ringforge.convert(data, hint=pathlib.Path(path).suffix[1:])
    assert tone.md5 == md5
    assert len(tone.sln) == tone.report["bytes"]


def cli():
    """The command-line binary when it has been built (CI runs `cargo test` first)."""
    exe = os.environ.get("RINGFORGE_BIN") or str(REPO / "target" / "debug" / "ringforge")
    return exe if os.access(exe, os.X_OK) else None


@pytest.mark.skipif(cli() is None, reason="the ringforge binary is not built")
def test_the_cli_writes_the_same_files_and_report_fields(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    names = sorted(p.name for p in FIXTURES.iterdir() if p.is_file())
    for name in names:
        shutil.copy(FIXTURES / name, src / name)
    out = tmp_path / "out"
    run = subprocess.run(
        [cli(), "convert", str(src), "-o", str(out), "--report", "json", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    files = json.loads(run.stdout)["files"]
    compared = 0
    for entry in files:
        if entry["status"] == "failed":
            continue
        tone = ringforge.convert_path(entry["input"])
        assert pathlib.Path(entry["output"]).read_bytes() == tone.sln, entry["input"]
        # The same fields, from the same serialisation: only what a file on disk has differs.
        cli_fields = set(entry) - {"input", "id", "output", "error"}
        assert cli_fields == set(tone.report), entry["input"]
        for field in ("md5", "status", "warnings", "warnings_text", "source", "bytes"):
            assert tone.report[field] == entry[field], (entry["input"], field)
        compared += 1
    assert compared >= 40
