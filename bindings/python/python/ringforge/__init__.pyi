from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from ._ringforge import (
    OPTION_NAMES as OPTION_NAMES,
    SOUND_VERSION as SOUND_VERSION,
    CorruptFile as CorruptFile,
    DecoderPanic as DecoderPanic,
    EmptySource as EmptySource,
    Error as Error,
    FileError as FileError,
    InternalError as InternalError,
    InvalidManifest as InvalidManifest,
    InvalidOptions as InvalidOptions,
    LimitExceeded as LimitExceeded,
    Tone as Tone,
    TooLarge as TooLarge,
    UnsupportedFormat as UnsupportedFormat,
    convert as convert,
    convert_path as convert_path,
    inspect as inspect,
    tone_name as tone_name,
)

def manifests(
    tones: Union[Mapping[str, Tone], Iterable[Union[tuple[str, Tone], tuple[str, Optional[str], Tone]]]],
    url_prefix: Optional[str] = None,
    alerts: Iterable[str] = (),
    builtin_tones: bool = True,
    which: str = "xml,dpma,json",
) -> dict[str, bytes]: ...
