"""A folder of sound files as a sample library, indexed by UCS CatID.

The folder is scanned once, recursively, for ``.wav``, ``.flac``, ``.ogg``, ``.mp3``,
``.aif`` and ``.aiff`` files (any case; hidden files and folders, such as macOS
``._`` resource forks, are skipped). Each file's UCS CatID is read from its name
(``CatID(-UserCategory)_(VendorCategory-)FXName_CreatorID_SourceID(_UserData)``), so
``library.find("WHSH")`` lists the whooshes. Nothing is decoded until a file is used:
:meth:`FolderLibrary.load` decodes with libsndfile (through ``soundfile``), refuses
broken, truncated, empty or silent files with a :class:`MediaError` naming the file,
and keeps the most recently used files in a bounded cache.
"""

from __future__ import annotations

import difflib
import math
import os
import posixpath
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from sonics.core.errors import MediaError, ParameterError
from sonics.core.sound import SampleRef

__all__ = [
    "SAMPLE_EXTENSIONS",
    "SILENCE_DB",
    "FolderLibrary",
    "UcsName",
    "open_sample_library",
    "parse_ucs_name",
]

SAMPLE_EXTENSIONS = (".aif", ".aiff", ".flac", ".mp3", ".ogg", ".wav")
"""File suffixes a library scan picks up (compared in lower case)."""

SILENCE_DB = -80.0
"""A file whose peak is below this level (dBFS) is refused as silent."""

MAX_CHANNELS = 2
"""Channels kept from a file; further channels are dropped (see :meth:`FolderLibrary.load`)."""

_RATE_RANGE_HZ = (1000, 768000)
_BLOCK_FRAMES = 1 << 16
_CATID = re.compile(r"[A-Z][A-Za-z0-9]*")
_HEADER_SIZE = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_STREAMING_SIZES = frozenset({0, 0xFFFFFFFF, 0x7FFFFFFF})
"""Chunk sizes a streaming writer leaves in the header: placeholders, not truncation."""


@dataclass(frozen=True, slots=True)
class UcsName:
    """The blocks of a UCS file name; every field is ``""`` when the name carries none.

    Parameters
    ----------
    catid : str
        Category and subcategory, abbreviated (``"WHSH"``, ``"WEAPSwrd"``); case kept.
    user_category : str
        The optional tail of the CatID block after ``-`` (``"INT"`` in ``GUNAuto-INT_...``).
    fx_name : str
        The title block, whole (UCS counts the vendor category as part of it).
    vendor_category : str
        The optional head of the title block before its first ``-``.
    creator_id : str
        Who recorded or designed the sound.
    source_id : str
        The show, project or library.
    user_data : str
        Everything after the source block (it may itself hold ``_``).
    """

    catid: str = ""
    user_category: str = ""
    fx_name: str = ""
    vendor_category: str = ""
    creator_id: str = ""
    source_id: str = ""
    user_data: str = ""


def parse_ucs_name(file_name: str) -> UcsName:
    """Split a file name into its UCS blocks.

    The CatID is the part of the name before the first ``_`` and before any ``-`` in
    it. UCS CatIDs are letters and digits starting with a capital (``DOORWood``), so a
    name whose first block is anything else (``my file_01.wav``), or a name with no
    ``_`` at all, has no CatID and every field is ``""``.

    Parameters
    ----------
    file_name : str
        A file name or path; folders and the suffix are ignored.

    Returns
    -------
    UcsName
        The blocks; only ``catid`` is required by UCS, the others may be ``""``.

    Examples
    --------
    >>> parse_ucs_name("WEAPSwrd-Katana_Clash 01_XYZ_Src.flac").catid
    'WEAPSwrd'
    >>> parse_ucs_name("my file.wav").catid
    ''
    """
    stem = posixpath.splitext(posixpath.basename(str(file_name).replace("\\", "/")))[0]
    blocks = stem.split("_", 4)
    if len(blocks) < 2:
        return UcsName()
    catid, _, user_category = blocks[0].partition("-")
    if not _CATID.fullmatch(catid):
        return UcsName()
    fx_name = blocks[1]
    vendor_category = fx_name.partition("-")[0] if "-" in fx_name else ""
    rest = [*blocks[2:], "", "", ""]
    return UcsName(
        catid=catid,
        user_category=user_category,
        fx_name=fx_name,
        vendor_category=vendor_category,
        creator_id=rest[0],
        source_id=rest[1],
        user_data=rest[2],
    )


class FolderLibrary:
    """A scanned folder of sound files; implements :class:`sonics.core.sound.SampleLibrary`.

    Make one with :func:`open_sample_library`. ``find`` and ``get`` answer from the
    scan; ``load`` decodes on first use and caches the result.

    Attributes
    ----------
    root : str
        The library folder, absolute.
    warnings : tuple of str
        Folders the scan could not read, one line each.
    """

    __slots__ = (
        "_by_catid",
        "_by_key",
        "_cache",
        "_cache_bytes",
        "_cache_limit",
        "_root",
        "root",
        "warnings",
    )

    def __init__(
        self, root: Path, refs: Iterable[SampleRef], *, cache_bytes: int, warnings: Iterable[str] = ()
    ) -> None:
        self._root = root
        self.root = str(root)
        self._by_key = {ref.key: ref for ref in sorted(refs, key=lambda r: r.key)}
        by_catid: dict[str, list[SampleRef]] = {}
        for ref in self._by_key.values():
            by_catid.setdefault(ref.catid, []).append(ref)
        self._by_catid = {catid: tuple(found) for catid, found in by_catid.items()}
        self._cache: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_limit = cache_bytes
        self.warnings = tuple(warnings)

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[SampleRef]:
        return iter(self._by_key.values())

    def __repr__(self) -> str:
        return f"FolderLibrary(root={self.root!r}, n_files={len(self)})"

    @property
    def refs(self) -> tuple[SampleRef, ...]:
        """Every file of the library, sorted by key."""
        return tuple(self._by_key.values())

    def catids(self) -> tuple[str, ...]:
        """Return the CatIDs the library holds files of, sorted (``""`` excluded)."""
        return tuple(sorted(catid for catid in self._by_catid if catid))

    def find(self, catid: str) -> tuple[SampleRef, ...]:
        """Return the files of one CatID, sorted by key.

        Parameters
        ----------
        catid : str
            A UCS CatID, matched exactly and case-sensitively (``"WEAPSwrd"``, not
            ``"weapswrd"``); ``""`` lists the files whose names carry none.

        Returns
        -------
        tuple of SampleRef
            Empty when the library has no file of that CatID.
        """
        return self._by_catid.get(catid, ())

    def get(self, key: str | os.PathLike[str]) -> SampleRef:
        """Return the file with this key.

        Parameters
        ----------
        key : str or Path
            The file's path relative to the library root, with ``/`` separators
            (``"swords/WEAPSwrd_Clash 01_XYZ_Src.wav"``), or its absolute path inside
            the root.

        Returns
        -------
        SampleRef
            The scanned file.

        Raises
        ------
        MediaError
            If the library holds no such file (with the closest key as a hint).
        """
        normal = self._normalise(key)
        ref = self._by_key.get(normal) if normal is not None else None
        if ref is None:
            raise MediaError(f"{self.root}: no sample {os.fspath(key)!r} in the library{self._hint(normal)}")
        return ref

    def load(self, ref: SampleRef) -> tuple[np.ndarray, int]:
        """Decode one file of the library.

        Parameters
        ----------
        ref : SampleRef
            A file of this library (from :meth:`find` or :meth:`get`).

        Returns
        -------
        audio : numpy.ndarray
            float32, shape ``(channels, samples)``, 1 or 2 channels, at the file's own
            rate and level (float files may exceed 1.0). A file with more than two
            channels keeps its first two, which are the front left and right in WAV's
            and FLAC's channel order (L R C LFE Ls Rs); no downmix is attempted, as
            the layout of the others is rarely declared. The array is read-only
            because it is shared with the cache: copy it before changing it in place.
        sample_rate : int
            The file's sample rate [Hz]; resampling is the caller's.

        Raises
        ------
        MediaError
            ``"<path>: <problem>"`` if the file is not in the library, is gone, is not
            a readable audio file, is corrupt or truncated, holds no samples, holds
            NaN or infinite samples, has an implausible sample rate, or is silent
            (peak below -80 dBFS).
        """
        ref = self.get(ref.key)
        cached = self._cache.get(ref.key)
        if cached is not None:
            self._cache.move_to_end(ref.key)
            return cached
        audio, sample_rate = _decode(self._root / ref.key)
        audio.setflags(write=False)
        if audio.nbytes <= self._cache_limit:
            self._cache[ref.key] = (audio, sample_rate)
            self._cache_bytes += audio.nbytes
            while self._cache_bytes > self._cache_limit:
                _, (old, _rate) = self._cache.popitem(last=False)
                self._cache_bytes -= old.nbytes
        return audio, sample_rate

    def _normalise(self, key: str | os.PathLike[str]) -> str | None:
        text = os.fspath(key)
        if not isinstance(text, str) or not text:
            return None
        if os.path.isabs(text):
            # As written first, then with symbolic links resolved on both sides.
            for path, base in (
                (os.path.abspath(text), self.root),
                (os.path.realpath(text), os.path.realpath(self.root)),
            ):
                relative = os.path.relpath(path, base)
                if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
                    return Path(relative).as_posix()
            return None
        normal = posixpath.normpath(text.replace(os.sep, "/"))
        return None if normal == ".." or normal.startswith("../") else normal

    def _hint(self, key: str | None) -> str:
        if key is None:
            return " (keys are paths relative to the library folder, or absolute paths inside it)"
        name = posixpath.basename(key)
        same_name = [ref.key for ref in self._by_key.values() if posixpath.basename(ref.key) == name]
        if same_name:
            return f" (did you mean {same_name[0]!r}?)"
        close = difflib.get_close_matches(key, list(self._by_key)[:20000], n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""


def open_sample_library(root: str | os.PathLike[str], *, cache_mb: float = 256.0) -> FolderLibrary:
    """Scan a folder of sound files into a sample library.

    Parameters
    ----------
    root : str or Path
        The library folder; searched recursively. Hidden files and folders (names
        starting with ``.``) are skipped; symbolic links to files are followed, links
        to folders are not (they could loop).
    cache_mb : float >= 0
        Most decoded audio kept in memory [MB]; the least recently used files are
        dropped beyond it. 0 disables the cache.

    Returns
    -------
    FolderLibrary
        The files with a suffix in :data:`SAMPLE_EXTENSIONS` (any case), keyed by
        their POSIX path relative to ``root``. Nothing is decoded yet.

    Raises
    ------
    MediaError
        If ``root`` does not exist, is not a folder, cannot be read, or holds no
        sound files.
    ParameterError
        If ``cache_mb`` is negative or not a number.

    Examples
    --------
    >>> library = open_sample_library("~/sfx")  # doctest: +SKIP
    >>> [ref.key for ref in library.find("WHSH")]  # doctest: +SKIP
    ['whooshes/WHSH_Big Whoosh_ABC_Lib.wav']
    """
    if isinstance(cache_mb, bool) or not isinstance(cache_mb, (int, float)) or not 0 <= cache_mb < math.inf:
        raise ParameterError(f"cache_mb must be a number >= 0, got {cache_mb!r}")
    path = Path(os.path.abspath(Path(root).expanduser()))
    if not path.exists():
        raise MediaError(f"{path}: no such folder")
    if not path.is_dir():
        raise MediaError(f"{path}: is a file, not a folder of samples")
    refs: list[SampleRef] = []
    warnings: list[str] = []
    errors: list[OSError] = []
    for folder, subfolders, files in os.walk(path, onerror=errors.append):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in files:
            if name.startswith(".") or not name.lower().endswith(SAMPLE_EXTENSIONS):
                continue
            key = Path(folder, name).relative_to(path).as_posix()
            ucs = parse_ucs_name(name)
            refs.append(SampleRef(key=key, catid=ucs.catid, fx_name=ucs.fx_name))
    for error in errors:
        where = Path(error.filename) if error.filename else path
        if where == path:
            raise MediaError(f"{path}: cannot read the folder ({_reason(error)})")
        warnings.append(f"{where}: cannot read the folder ({_reason(error)}); skipped")
    if not refs:
        kinds = ", ".join(SAMPLE_EXTENSIONS)
        raise MediaError(f"{path}: holds no sound files ({kinds}) in it or its subfolders")
    return FolderLibrary(path, refs, cache_bytes=round(cache_mb * 1e6), warnings=warnings)


def _decode(path: Path) -> tuple[np.ndarray, int]:
    """Decode a whole file to float32 ``(channels, samples)``, keeping two channels at most."""
    if not path.is_file():
        raise MediaError(f"{path}: no such file (was it moved after the library was scanned?)")
    try:
        sound = soundfile.SoundFile(path)
    except PermissionError:
        raise MediaError(f"{path}: permission denied") from None
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise MediaError(f"{path}: not a readable audio file ({_reason(exc)})") from None
    with sound:
        sample_rate, n_channels, declared = int(sound.samplerate), int(sound.channels), int(sound.frames)
        log = sound.extra_info
        if not _RATE_RANGE_HZ[0] <= sample_rate <= _RATE_RANGE_HZ[1]:
            low, high = _RATE_RANGE_HZ
            raise MediaError(f"{path}: sample rate {sample_rate} Hz is outside [{low}, {high}] Hz")
        keep = min(n_channels, MAX_CHANNELS)
        audio = np.empty((keep, max(declared, 0)), dtype=np.float32)
        n = 0
        try:
            while n < declared:
                block = sound.read(min(_BLOCK_FRAMES, declared - n), dtype="float32", always_2d=True)
                if not len(block):
                    break
                audio[:, n : n + len(block)] = block[:, :keep].T
                n += len(block)
        except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
            raise MediaError(f"{path}: corrupt or truncated audio data ({_reason(exc)})") from None
    if n == 0:
        raise MediaError(f"{path}: holds no samples")
    _check_complete(path, n, declared, sample_rate, log)
    audio = audio[:, :n] if n < declared else audio
    if not np.isfinite(audio).all():
        raise MediaError(f"{path}: holds NaN or infinite samples")
    peak = float(np.max(np.abs(audio)))
    if peak < 10.0 ** (SILENCE_DB / 20.0):
        level = f"{20.0 * np.log10(peak):.1f} dBFS" if peak > 0 else "digital silence"
        raise MediaError(f"{path}: is silent (peak {level}, below {SILENCE_DB:g} dBFS)")
    return np.ascontiguousarray(audio), sample_rate


def _check_complete(path: Path, n: int, declared: int, sample_rate: int, log: str) -> None:
    """Refuse a file that ends more than 1 ms before its header says it does."""
    expected = declared
    # libsndfile shortens a WAV or AIFF whose data chunk runs past the end of the file
    # to what is there, and says so in its log: "data : 176400 (should be 88178)".
    match = _HEADER_SIZE.search(log)
    if match is not None:
        said, present = int(match.group(1)), int(match.group(2))
        if said not in _STREAMING_SIZES and said > present > 0:
            expected = max(expected, said // max(1, round(present / n)))
    if expected - n > max(1, sample_rate // 1000):
        raise MediaError(
            f"{path}: truncated: it ends at {n / sample_rate:.3f} s of the "
            f"{expected / sample_rate:.3f} s its header declares"
        )


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip().rstrip(".")
    # libsndfile repeats the path and a prefix: "Error opening '/x/a.wav': Format not recognised."
    text = re.sub(r"^error opening '.*?':\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^error\s*:\s*", "", text, flags=re.IGNORECASE)
    if "does not exist or is not a regular file" in text:
        text = "unrecognised or damaged data"  # what libsndfile says of a file it cannot make sense of
    return text[:1].lower() + text[1:] if text else type(exc).__name__
