"""ringforge: turn everyday audio into ringtones for Digium/Sangoma D-series phones.

The same engine as the ``ringforge`` command, making the same bytes::

    import ringforge

    tone = ringforge.convert_path("front-desk.mp3", normalize="loudness:-16")
    open("front-desk.sln", "wb").write(tone.sln)
    files = ringforge.manifests([("front-desk", "Front Desk", tone)],
                                url_prefix="http://pbx.example.com/digium_phones/")
    open("ringtones.xml", "wb").write(files["ringtones.xml"])

Option keywords are the ``ringforge.toml`` setting names (``OPTION_NAMES``). Every failure is a
``ringforge.Error`` with a ``kind``; the GIL is released while audio is converted.
"""

from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from . import _ringforge
from ._ringforge import (
    OPTION_NAMES,
    SOUND_VERSION,
    CorruptFile,
    DecoderPanic,
    EmptySource,
    Error,
    FileError,
    InternalError,
    InvalidManifest,
    InvalidOptions,
    LimitExceeded,
    Tone,
    TooLarge,
    UnsupportedFormat,
    convert,
    convert_path,
    inspect,
    tone_name,
)

__all__ = [
    "OPTION_NAMES",
    "SOUND_VERSION",
    "CorruptFile",
    "DecoderPanic",
    "EmptySource",
    "Error",
    "FileError",
    "InternalError",
    "InvalidManifest",
    "InvalidOptions",
    "LimitExceeded",
    "Tone",
    "TooLarge",
    "UnsupportedFormat",
    "convert",
    "convert_path",
    "inspect",
    "manifests",
    "tone_name",
]



def manifests(
    tones: Union[Mapping[str, Tone], Iterable[Any]],
    url_prefix: Optional[str] = None,
    alerts: Iterable[str] = (),
    builtin_tones: bool = True,
    which: str = "xml,dpma,json",
) -> "dict[str, bytes]":
    """Render the provisioning manifests of converted tones, as ``{file name: bytes}``.

    ``tones`` is a mapping ``{id: Tone}`` or an iterable of ``(id, Tone)`` or
    ``(id, display, Tone)`` tuples; each tone's file is ``<id>.sln`` and its display name, when
    not given, is made from the id. ``alerts`` are ``"INFO=TONE[:RING_TYPE]"`` strings, as the
    command line's ``--alert``. ``which`` picks among ``xml`` (ringtones.xml), ``dpma``
    (res_digium_phone.conf) and ``json`` (ringtones.json).
    """
    if isinstance(tones, Mapping):
        entries = [(id_, None, tone) for id_, tone in tones.items()]
    else:
        entries = []
        for entry in tones:
            if isinstance(entry, tuple) and len(entry) == 2:
                entries.append((entry[0], None, entry[1]))
            elif isinstance(entry, tuple) and len(entry) == 3:
                entries.append(entry)
            else:
                raise TypeError(
                    f"each tone must be (id, Tone) or (id, display, Tone), got {entry!r}"
                )
    return _ringforge.manifests(
        entries,
        url_prefix=url_prefix,
        alerts=list(alerts),
        builtin_tones=builtin_tones,
        which=which,
    )
