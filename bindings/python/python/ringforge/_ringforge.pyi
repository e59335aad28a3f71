from os import PathLike
from typing import Any, Optional, Union

SOUND_VERSION: int
OPTION_NAMES: list[str]

class Error(Exception):
    """Every ringforge failure; ``kind`` names the library's error kind."""

    kind: str

class FileError(Error): ...
class UnsupportedFormat(Error): ...
class CorruptFile(Error): ...
class EmptySource(Error): ...
class TooLarge(Error): ...
class LimitExceeded(Error): ...
class InvalidOptions(Error): ...
class DecoderPanic(Error): ...
class InternalError(Error): ...
class InvalidManifest(Error): ...

class Tone:
    """A converted ringtone: 16 kHz mono signed 16-bit samples and their report."""

    @property
    def sln(self) -> bytes:
        """The ``.sln`` file: little-endian 16-bit samples, no header."""
    @property
    def md5(self) -> str:
        """Lowercase hex MD5 of ``sln``."""
    @property
    def samples(self) -> Any:
        """The samples as ``array.array('h')`` in machine byte order."""
    @property
    def report(self) -> dict[str, Any]:
        """The fields of one file of ``ringforge convert --report json``."""
    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Each warning's fields with its ``kind`` and a ``message``."""
    def __len__(self) -> int: ...

def convert(data: bytes, hint: Optional[str] = None, **options: Union[str, int, float, bool, None]) -> Tone: ...
def convert_path(path: Union[str, "PathLike[str]"], **options: Union[str, int, float, bool, None]) -> Tone: ...
def inspect(
    source: Union[bytes, str, "PathLike[str]"],
    hint: Optional[str] = None,
    **options: Union[str, int, float, bool, None],
) -> dict[str, Any]: ...
def manifests(
    tones: list[tuple[str, Optional[str], Tone]],
    url_prefix: Optional[str] = None,
    alerts: list[str] = ...,
    builtin_tones: bool = True,
    which: str = "xml,dpma,json",
) -> dict[str, bytes]: ...
def tone_name(file_name: Union[str, "PathLike[str]"]) -> tuple[str, str]:
    """The tone id and display name the command line gives a file of this name."""
def _convert_with_failing_reader(data: bytes) -> Tone: ...
def _panic_outside_decoders() -> int: ...
