"""The Python surface: options by their ringforge.toml names, the Tone, inspect, manifests."""

import array
import sys

import pytest

import ringforge
from conftest import FIXTURES, REPO

WAV_8K = REPO / "assets" / "legacy" / "old-pbx-8k.wav"
SINE_48K = FIXTURES / "sine1k_48k_s16_mono.wav"


def test_tone_holds_the_file_its_samples_and_its_report():
    tone = ringforge.convert_path(SINE_48K)
    assert isinstance(tone.sln, bytes)
    assert len(tone.sln) == 2 * len(tone) == tone.report["bytes"]
    samples = tone.samples
    assert isinstance(samples, array.array) and samples.typecode == "h"
    little = array.array("h", tone.sln)
    if sys.byteorder == "big":
        little.byteswap()
    assert samples == little
    assert tone.report["md5"] == tone.md5 and len(tone.md5) == 32
    assert tone.report["source"]["sample_rate"] == 48000
    assert tone.report["status"] == "ok"
    assert "md5" in repr(tone)


def test_warnings_have_a_kind_and_a_message():
    tone = ringforge.convert_path(WAV_8K)
    kinds = [w["kind"] for w in tone.warnings]
    assert "upsampled" in kinds
    up = next(w for w in tone.warnings if w["kind"] == "upsampled")
    assert up["from"] == 8000 and "16 kHz" in up["message"]
    assert tone.report["status"] == "warned"
    assert tone.report["warnings"][0]["kind"] == tone.warnings[0]["kind"]
    assert ringforge.convert_path(WAV_8K, allow_upsample=True).warnings == []


def test_options_use_the_config_names_and_values():
    full = ringforge.convert_path(SINE_48K)
    part = ringforge.convert_path(SINE_48K, start="0:00.1", length=0.2, dither="none")
    assert len(part) == 3200
    assert ringforge.convert_path(SINE_48K, start=0.1, length=0.2, dither="none").md5 == part.md5
    loud = ringforge.convert_path(SINE_48K, normalize="loudness:-20")
    assert abs(loud.report["loudness_lufs"] + 20) < 0.5
    assert full.md5 != loud.md5
    # None leaves an option at its default.
    assert ringforge.convert_path(SINE_48K, start=None, normalize=None).md5 == full.md5
    assert set(ringforge.OPTION_NAMES) >= {"normalize", "start", "length", "dither", "max_bytes"}


def test_an_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="loudness"):
        ringforge.convert_path(SINE_48K, loudness=-16)


@pytest.mark.parametrize(
    "keywords,words",
    [
        ({"normalize": "louder"}, "normalize"),
        ({"dither": "yes"}, "tpdf"),
        ({"start": "soon"}, "start"),
        ({"gain_db": 99}, "gain_db"),
        ({"clip": "yes"}, "clip"),
        ({"max_bytes": 2}, "at least 3"),
        ({"max_decoded_seconds": 0}, "max_decoded_seconds"),
        ({"channel": ["left"]}, "channel"),
        ({"max_input_bytes": 10**30}, "max_input_bytes"),
    ],
)
def test_a_bad_value_is_invalid_options(keywords, words):
    with pytest.raises(ringforge.InvalidOptions, match=words) as e:
        ringforge.convert_path(SINE_48K, **keywords)
    assert isinstance(e.value, ringforge.Error)
    assert e.value.kind == "invalid_options"


def test_inspect_a_source_and_a_tone(tmp_path):
    src = ringforge.inspect(WAV_8K)
    assert src["kind"] == "source" and src["sample_rate"] == 8000
    assert any(w["kind"] == "upsampled" for w in src["warnings"])
    same = ringforge.inspect(WAV_8K.read_bytes(), hint="wav")
    assert same == src
    tone = ringforge.convert_path(SINE_48K)
    sln = tmp_path / "a.sln"
    sln.write_bytes(tone.sln)
    t = ringforge.inspect(sln)
    assert t["kind"] == "tone" and t["valid"] is True
    assert ringforge.inspect(tone.sln, hint="sln") == t


def test_manifests_render_every_file_from_the_library():
    a = ringforge.convert_path(SINE_48K)
    b = ringforge.convert_path(WAV_8K)
    files = ringforge.manifests(
        [("front-desk", "Front Desk", a), ("old-pbx", b)],
        url_prefix="http://pbx.example.com/digium_phones/",
        alerts=["frontdesk=front-desk"],
    )
    assert set(files) == {"ringtones.xml", "res_digium_phone.conf", "ringtones.json"}
    xml = files["ringtones.xml"].decode()
    assert f'md5="{a.md5}"' in xml
    assert 'url="http://pbx.example.com/digium_phones/front-desk.sln"' in xml
    assert "frontdesk" in xml
    assert "[front-desk]\ntype=ringtone\nalias=Front Desk\n" in files["res_digium_phone.conf"].decode()
    assert b'"md5": "' + b.md5.encode() + b'"' in files["ringtones.json"]
    # A mapping works too; the display name is made from the id.
    only = ringforge.manifests({"old-pbx": b}, which="dpma")
    assert list(only) == ["res_digium_phone.conf"]
    assert b"alias=Old Pbx" in only["res_digium_phone.conf"]


@pytest.mark.parametrize(
    "tones,alerts,kind",
    [
        ([("bad id!", None)], [], "invalid_id"),
        ([("digium", None)], [], "builtin_collision"),
        ([("a", None), ("A", None)], [], "duplicate"),
        ([("a", None)], ["vip=nosuch"], "unknown_tone"),
        ([("a", None)], ["vip=a:loud"], "invalid_ring_type"),
    ],
)
def test_manifest_problems_are_invalid_manifest(tones, alerts, kind):
    tone = ringforge.convert_path(SINE_48K)
    entries = [(i, d, tone) for i, d in tones]
    with pytest.raises(ringforge.InvalidManifest) as e:
        ringforge.manifests(entries, alerts=alerts)
    assert e.value.kind == kind


def test_manifests_refuse_what_is_not_a_tone():
    with pytest.raises(TypeError):
        ringforge.manifests([("a", "A", "not a tone")])
    with pytest.raises(TypeError):
        ringforge.manifests(["a"])


def test_tone_names_are_made_as_the_command_line_makes_them():
    assert ringforge.tone_name("Office/Front Desk.mp3") == ("office-front-desk", "Front Desk")
    with pytest.raises(ringforge.InvalidManifest) as e:
        ringforge.tone_name("日本.wav")
    assert e.value.kind == "invalid_id"
