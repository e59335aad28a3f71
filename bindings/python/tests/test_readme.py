"""The README's "Use from Python" example, extracted and run as it is written."""

import re
import runpy
import shutil

from conftest import REPO


def readme_example(section):
    text = (REPO / "README.md").read_text()
    start = text.index(f"## {section}\n")
    block = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert block, f"no python example under {section}"
    return block.group(1)


def test_the_readme_example_runs(tmp_path, monkeypatch, capsys):
    code = readme_example("Use from Python")
    shutil.copy(REPO / "assets" / "office" / "front-desk-chime.mp3", tmp_path)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    for name in ("front-desk.sln", "ringtones.xml", "res_digium_phone.conf", "ringtones.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "unsupported_format" in out
    xml = (tmp_path / "ringtones.xml").read_text()
    assert "http://pbx.example.com/digium_phones/front-desk.sln" in xml
