"""Hostile input: every bad fixture gives a typed error (or a tone that says what was wrong),
nothing crashes, nothing is left behind for the next call, and the limits apply."""

import pytest

import ringforge
from conftest import BAD, FIXTURES, REPO

BAD_FILES = sorted(p for p in BAD.iterdir() if p.is_file())
GOOD = FIXTURES / "sine1k_44k1_s16_mono.wav"


def good_md5():
    return ringforge.convert_path(GOOD).md5


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_a_bad_file_is_a_typed_error_and_the_next_call_works(path):
    before = good_md5()
    for convert in (
        lambda: ringforge.convert_path(path),
        lambda: ringforge.convert(path.read_bytes(), hint=path.suffix[1:]),
        lambda: ringforge.convert(path.read_bytes()),
    ):
        try:
            tone = convert()
        except ringforge.Error as e:
            assert e.kind in {
                "unsupported_format",
                "no_audio_track",
                "corrupt_file",
                "empty",
                "limit_exceeded",
                "decoder_panic",
            }, (e.kind, str(e))
            assert str(e)
        else:
            # Damage the decoder can read past is converted, with a warning saying so.
            assert tone.warnings, f"{path.name} converted without a warning"
        assert good_md5() == before


def test_most_bad_files_fail():
    failed = 0
    for path in BAD_FILES:
        try:
            ringforge.convert_path(path)
        except ringforge.Error:
            failed += 1
    assert failed >= len(BAD_FILES) - 3


def test_a_contained_decoder_panic_is_a_ringforge_error():
    data = (FIXTURES / "sine1k_44k1_s16_mono.wav").read_bytes()
    with pytest.raises(ringforge.DecoderPanic) as e:
        ringforge._ringforge._convert_with_failing_reader(data)
    assert isinstance(e.value, ringforge.Error)
    assert e.value.kind == "decoder_panic"
    assert "simulated decoder bug" in str(e.value)
    assert good_md5() == ringforge.convert(data, hint="wav").md5


def test_a_panic_outside_the_decoders_is_an_internal_error():
    with pytest.raises(ringforge.InternalError) as e:
        ringforge._ringforge._panic_outside_decoders()
    assert isinstance(e.value, ringforge.Error)
    assert not isinstance(e.value, ringforge.DecoderPanic)
    assert e.value.kind == "internal_error"
    assert "index out of bounds" in str(e.value)
    assert "a bug in ringforge" in str(e.value)
    assert good_md5() == ringforge.convert(GOOD.read_bytes(), hint="wav").md5


def test_limits_apply():
    long_source = REPO / "assets" / "melodies" / "morning_melody.flac"
    with pytest.raises(ringforge.LimitExceeded, match="max") as e:
        ringforge.convert_path(long_source, max_decoded_seconds=1)
    assert e.value.kind == "limit_exceeded"
    with pytest.raises(ringforge.LimitExceeded):
        ringforge.convert(GOOD.read_bytes(), max_input_bytes=100)
    with pytest.raises(ringforge.LimitExceeded):
        ringforge.convert_path(FIXTURES / "sine1k_48k_s16_stereo.wav", max_channels=1)
    with pytest.raises(ringforge.LimitExceeded):
        ringforge.convert_path(FIXTURES / "sine1k_96k_s16_mono.wav", max_sample_rate=48000)
    with pytest.raises(ringforge.TooLarge) as e:
        ringforge.convert_path(long_source, max_bytes=32000, on_oversize="error")
    assert e.value.kind == "too_large"
    ringforge.convert_path(long_source, max_decoded_seconds=3600)


def test_missing_files_and_folders_are_file_errors(tmp_path):
    with pytest.raises(ringforge.FileError, match="nothing-here.wav"):
        ringforge.convert_path(tmp_path / "nothing-here.wav")
    with pytest.raises(ringforge.FileError, match="directory"):
        ringforge.convert_path(tmp_path)


def test_not_audio_is_unsupported():
    with pytest.raises(ringforge.UnsupportedFormat) as e:
        ringforge.convert(b"hello, this is not audio" * 10)
    assert e.value.kind == "unsupported_format"
    with pytest.raises(TypeError):
        ringforge.convert("a str is not bytes")
