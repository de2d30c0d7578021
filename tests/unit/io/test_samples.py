"""The sample library: UCS names, scanning, decoding every format, refusing bad files.

Every file is written here with soundfile, so its samples are known. The bundled
libsndfile (1.2.2) reads and writes WAV, AIFF, FLAC, Ogg Vorbis, Ogg Opus and MP3
(MP3 needs libsndfile >= 1.1); a format the local build lacks is skipped with a reason.
"""

import math
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sonics.core.errors import MediaError, ParameterError
from sonics.core.sound import SampleLibrary, SampleRef
from sonics.io.samples import FolderLibrary, UcsName, open_sample_library, parse_ucs_name


def _tone(n_channels: int, n: int, rate: int) -> np.ndarray:
    """(channels, n) float32: 440 Hz at 0.5 on the left, 660 Hz at 0.25 on the right, ..."""
    t = np.arange(n) / rate
    rows = [(0.5 / (c + 1)) * np.sin(2 * np.pi * 440.0 * (1 + c / 2) * t) for c in range(n_channels)]
    return np.asarray(rows, dtype=np.float32)


def _write(path: Path, audio: np.ndarray, rate: int, fmt: str = "WAV", subtype: str = "PCM_24") -> Path:
    if not soundfile.check_format(fmt, subtype):
        pytest.skip(f"this libsndfile ({soundfile.__libsndfile_version__}) cannot write {fmt}/{subtype}")
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, audio.T, rate, format=fmt, subtype=subtype)
    return path


def _at(path) -> str:
    """The start of an error message about ``path``, as a regular expression."""
    return "^" + re.escape(str(path))


def _library(tmp_path: Path, names: list[str]) -> FolderLibrary:
    for name in names:
        _write(tmp_path / name, _tone(1, 480, 48000), 48000)
    return open_sample_library(tmp_path)


# --- UCS names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WHSH_Big Whoosh_ABC_Lib.wav", UcsName("WHSH", "", "Big Whoosh", "", "ABC", "Lib")),
        (
            "WEAPSwrd-Katana_Clash 01_XYZ_Src.flac",
            UcsName("WEAPSwrd", "Katana", "Clash 01", "", "XYZ", "Src"),
        ),
        ("my file.wav", UcsName()),
        ("WHSH-Big.wav", UcsName()),  # no "_": no CatID
        ("my_file.wav", UcsName()),  # CatIDs start with a capital
        ("Big Boom_01.wav", UcsName()),  # CatIDs hold no spaces
        ("WHSH_Short.ogg", UcsName("WHSH", "", "Short")),  # only the CatID is required
        (
            # The UCS naming document's example with every block.
            "GUNAuto-EXT_UZI 9mm-Rapid Fire Close Up Short Bursts_TN_NONE_416-MKH8040-DualMono.wav",
            UcsName(
                "GUNAuto",
                "EXT",
                "UZI 9mm-Rapid Fire Close Up Short Bursts",
                "UZI 9mm",
                "TN",
                "NONE",
                "416-MKH8040-DualMono",
            ),
        ),
        ("DOORWood_Slam_TN_DORY_take_2.AIFF", UcsName("DOORWood", "", "Slam", "", "TN", "DORY", "take_2")),
        ("swords/old/WEAPSwrd_Ring_A_B.mp3", UcsName("WEAPSwrd", "", "Ring", "", "A", "B")),
        ("DSGNWhsh_Fire.Whoosh_A_B.wav", UcsName("DSGNWhsh", "", "Fire.Whoosh", "", "A", "B")),
    ],
)
def test_parse_ucs_name(name, expected):
    assert parse_ucs_name(name) == expected


# --- scanning ------------------------------------------------------------------------------------


def test_scan_finds_sound_files_recursively_and_indexes_them_by_catid(tmp_path):
    names = [
        "whooshes/WHSH_Big Whoosh_ABC_Lib.wav",
        "whooshes/WHSH_Airy_ABC_Lib.FLAC",  # suffixes in any case
        "WHSH_Top_ABC_Lib.aiff",
        "swords/deep/WEAPSwrd-Katana_Clash 01_XYZ_Src.aif",
        "my file.wav",
    ]
    library = _library(tmp_path, names)
    (tmp_path / "notes.txt").write_text("not a sound")
    (tmp_path / "whooshes" / "WHSH_Video_A_B.mp4").write_bytes(b"\0" * 64)
    _write(tmp_path / "._WHSH_Big Whoosh_ABC_Lib.wav", _tone(1, 10, 48000), 48000)  # macOS resource fork
    _write(tmp_path / ".hidden" / "WHSH_Secret_A_B.wav", _tone(1, 10, 48000), 48000)
    library = open_sample_library(tmp_path)

    assert isinstance(library, SampleLibrary)
    assert len(library) == 5
    assert [ref.key for ref in library.refs] == sorted(
        ["whooshes/WHSH_Big Whoosh_ABC_Lib.wav", "whooshes/WHSH_Airy_ABC_Lib.FLAC", "WHSH_Top_ABC_Lib.aiff",
         "swords/deep/WEAPSwrd-Katana_Clash 01_XYZ_Src.aif", "my file.wav"]
    )  # fmt: skip
    assert library.find("WHSH") == (
        SampleRef("WHSH_Top_ABC_Lib.aiff", "WHSH", "Top"),
        SampleRef("whooshes/WHSH_Airy_ABC_Lib.FLAC", "WHSH", "Airy"),
        SampleRef("whooshes/WHSH_Big Whoosh_ABC_Lib.wav", "WHSH", "Big Whoosh"),
    )
    assert library.find("WEAPSwrd") == (
        SampleRef("swords/deep/WEAPSwrd-Katana_Clash 01_XYZ_Src.aif", "WEAPSwrd", "Clash 01"),
    )
    assert library.find("whsh") == ()  # CatIDs are case-sensitive
    assert library.find("FEETHors") == ()
    assert library.find("") == (SampleRef("my file.wav", ""),)
    assert library.catids() == ("WEAPSwrd", "WHSH")
    assert library.root == str(tmp_path.absolute())
    assert library.warnings == ()


def test_get_takes_relative_keys_and_absolute_paths_inside_the_root(tmp_path):
    library = _library(tmp_path, ["whooshes/WHSH_Big_A_B.wav"])
    ref = library.find("WHSH")[0]
    assert library.get("whooshes/WHSH_Big_A_B.wav") == ref
    assert library.get("./whooshes/../whooshes/WHSH_Big_A_B.wav") == ref
    assert library.get(tmp_path / "whooshes" / "WHSH_Big_A_B.wav") == ref
    assert library.get(str(tmp_path / "whooshes" / "WHSH_Big_A_B.wav")) == ref


def test_get_through_a_symlinked_root(tmp_path):
    _library(tmp_path / "real", ["WHSH_Big_A_B.wav"])
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    library = open_sample_library(tmp_path / "link")
    assert library.get(tmp_path / "real" / "WHSH_Big_A_B.wav").key == "WHSH_Big_A_B.wav"
    assert library.get(tmp_path / "link" / "WHSH_Big_A_B.wav").key == "WHSH_Big_A_B.wav"


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("WHSH_Big_A_B.wav", "did you mean 'whooshes/WHSH_Big_A_B.wav'"),  # right name, wrong folder
        ("whooshes/WHSH_Bog_A_B.wav", "did you mean 'whooshes/WHSH_Big_A_B.wav'"),  # typo
        ("../outside.wav", "keys are paths relative to the library folder"),
        ("/elsewhere/WHSH_Big_A_B.wav", "keys are paths relative to the library folder"),
        ("", "keys are paths relative"),
    ],
)
def test_get_refuses_keys_not_in_the_library(tmp_path, key, hint):
    library = _library(tmp_path, ["whooshes/WHSH_Big_A_B.wav"])
    with pytest.raises(MediaError, match=f"{_at(tmp_path)}: no sample .* in the library") as caught:
        library.get(key)
    assert hint in str(caught.value)


def test_missing_folder(tmp_path):
    with pytest.raises(MediaError, match=f"{_at(tmp_path / 'nope')}: no such folder$"):
        open_sample_library(tmp_path / "nope")


def test_root_that_is_a_file(tmp_path):
    path = _write(tmp_path / "WHSH_A_B_C.wav", _tone(1, 100, 48000), 48000)
    with pytest.raises(MediaError, match=f"{_at(path)}: is a file, not a folder"):
        open_sample_library(path)


def test_empty_folder_and_folder_without_sound_files(tmp_path):
    with pytest.raises(MediaError, match=f"{_at(tmp_path)}: holds no sound files"):
        open_sample_library(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "readme.txt").write_text("x")
    (tmp_path / "._WHSH_A_B_C.wav").write_bytes(b"\0" * 100)
    with pytest.raises(
        MediaError, match=r"holds no sound files \(\.aif, \.aiff, \.flac, \.mp3, \.ogg, \.wav\)"
    ):
        open_sample_library(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a POSIX user who file modes bind")
def test_unreadable_subfolder_is_skipped_with_a_warning(tmp_path):
    library_root = tmp_path / "lib"
    _library(library_root, ["WHSH_A_B_C.wav", "locked/WHSH_D_E_F.wav"])
    (library_root / "locked").chmod(0)
    try:
        library = open_sample_library(library_root)
    finally:
        (library_root / "locked").chmod(0o755)
    assert [ref.key for ref in library] == ["WHSH_A_B_C.wav"]
    assert library.warnings == (
        f"{library_root / 'locked'}: cannot read the folder (permission denied); skipped",
    )


def test_unreadable_folders_reported_by_the_walk(tmp_path, monkeypatch):
    # The same as above for any user (root reads every folder): the walk reports the errors.
    _library(tmp_path, ["WHSH_A_B_C.wav"])
    walk = os.walk

    def failing_walk(top, onerror=None, **kwargs):
        onerror(PermissionError(13, "Permission denied", str(Path(top) / "locked")))
        return walk(top, onerror=onerror, **kwargs)

    monkeypatch.setattr("sonics.io.samples.os.walk", failing_walk)
    library = open_sample_library(tmp_path)
    assert library.warnings == (
        f"{tmp_path / 'locked'}: cannot read the folder (permission denied); skipped",
    )

    def failing_root(top, onerror=None, **kwargs):
        onerror(PermissionError(13, "Permission denied", str(top)))
        return iter(())

    monkeypatch.setattr("sonics.io.samples.os.walk", failing_root)
    with pytest.raises(MediaError, match=f"{_at(tmp_path)}: cannot read the folder \\(permission denied\\)$"):
        open_sample_library(tmp_path)


def test_refuses_a_bad_cache_size(tmp_path):
    with pytest.raises(ParameterError, match="cache_mb must be a number >= 0, got -1"):
        open_sample_library(tmp_path, cache_mb=-1)


# --- decoding ------------------------------------------------------------------------------------

LOSSLESS = [
    ("wav", "WAV", "PCM_16", 2.0**-15),
    ("wav", "WAV", "PCM_24", 2.0**-23),
    ("wav", "WAV", "FLOAT", 0.0),
    ("flac", "FLAC", "PCM_16", 2.0**-15),
    ("flac", "FLAC", "PCM_24", 2.0**-23),
    ("aif", "AIFF", "PCM_16", 2.0**-15),
    ("aiff", "AIFF", "FLOAT", 0.0),
]


@pytest.mark.parametrize(("suffix", "fmt", "subtype", "step"), LOSSLESS)
@pytest.mark.parametrize("rate", [22050, 44100, 48000, 96000])
@pytest.mark.parametrize("n_channels", [1, 2])
def test_loads_lossless_files_exactly(tmp_path, suffix, fmt, subtype, step, rate, n_channels):
    audio = _tone(n_channels, rate // 10 + 7, rate)
    _write(tmp_path / f"WHSH_Tone_A_B.{suffix}", audio, rate, fmt, subtype)
    library = open_sample_library(tmp_path)
    loaded, loaded_rate = library.load(library.find("WHSH")[0])
    assert loaded_rate == rate
    assert loaded.dtype == np.float32
    assert loaded.shape == audio.shape
    assert np.max(np.abs(loaded - audio)) <= step


@pytest.mark.parametrize(
    ("fmt", "subtype", "rate"),
    [
        ("OGG", "VORBIS", 44100),
        ("OGG", "VORBIS", 96000),
        ("OGG", "OPUS", 48000),
        ("MP3", "MPEG_LAYER_III", 44100),
        ("MP3", "MPEG_LAYER_III", 48000),
        ("MP3", "MPEG_LAYER_III", 22050),
    ],
)
@pytest.mark.parametrize("n_channels", [1, 2])
def test_loads_lossy_files_at_their_exact_length(tmp_path, fmt, subtype, rate, n_channels):
    # libsndfile drops the codecs' priming and padding (Ogg granule positions, the LAME
    # tag of an MP3), so the decoded length is the written one.
    audio = _tone(n_channels, rate // 4, rate)
    _write(tmp_path / f"WHSH_Tone_A_B.{fmt.lower()}", audio, rate, fmt, subtype)
    library = open_sample_library(tmp_path)
    loaded, loaded_rate = library.load(library.get(f"WHSH_Tone_A_B.{fmt.lower()}"))
    assert loaded_rate == rate
    assert loaded.dtype == np.float32
    assert loaded.shape == audio.shape
    for channel in range(n_channels):
        assert np.corrcoef(loaded[channel], audio[channel])[0, 1] > 0.99


def test_keeps_the_first_two_of_more_channels(tmp_path):
    audio = _tone(6, 4800, 48000)  # L R C LFE Ls Rs: every channel a different tone
    _write(tmp_path / "AMBWar_Surround_A_B.wav", audio, 48000, subtype="FLOAT")
    library = open_sample_library(tmp_path)
    loaded, _ = library.load(library.find("AMBWar")[0])
    np.testing.assert_array_equal(loaded, audio[:2])


def test_accepts_a_streaming_header_and_a_partial_last_frame(tmp_path):
    audio = _tone(2, 4800, 48000)
    data = _write(tmp_path / "source.wav", audio, 48000, subtype="PCM_16").read_bytes()
    at = data.find(b"data")
    streamed = data[: at + 4] + struct.pack("<I", 0xFFFFFFFF) + data[at + 8 :]
    (tmp_path / "WHSH_Streamed_A_B.wav").write_bytes(streamed)
    (tmp_path / "WHSH_Odd_A_B.wav").write_bytes(data[:-1])  # the last frame lost one byte
    library = open_sample_library(tmp_path)
    assert library.load(library.get("WHSH_Streamed_A_B.wav"))[0].shape == (2, 4800)
    assert library.load(library.get("WHSH_Odd_A_B.wav"))[0].shape == (2, 4799)


def test_decoded_files_are_cached_read_only(tmp_path):
    library = _library(tmp_path, ["WHSH_A_A_A.wav", "WHSH_B_B_B.wav"])
    first, _ = library.find("WHSH")
    audio, _ = library.load(first)
    assert library.load(first)[0] is audio
    assert not audio.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        audio *= 2.0


def test_cache_keeps_the_most_recently_used_files_within_its_budget(tmp_path):
    for name in ("WHSH_A_A_A.wav", "WHSH_B_B_B.wav", "WHSH_C_C_C.wav"):
        _write(tmp_path / name, _tone(1, 100_000, 48000), 48000)  # 0.4 MB each as float32
    library = open_sample_library(tmp_path, cache_mb=1.0)
    a, b, c = library.find("WHSH")
    audio_a = library.load(a)[0]
    library.load(b)
    assert library.load(a)[0] is audio_a  # a is now the most recent
    library.load(c)  # over budget: b, the least recent, goes
    assert library.load(a)[0] is audio_a
    uncached = open_sample_library(tmp_path, cache_mb=0)
    assert uncached.load(a)[0] is not uncached.load(a)[0]


# --- bad files -----------------------------------------------------------------------------------


def _bad(tmp_path: Path, name: str, data: bytes) -> tuple[FolderLibrary, SampleRef, Path]:
    path = tmp_path / name
    path.write_bytes(data)
    library = open_sample_library(tmp_path)
    return library, library.get(name), path


def _encoded(tmp_path: Path, fmt: str, subtype: str, rate: int = 44100) -> bytes:
    path = _write(tmp_path / "source" / f"x.{fmt.lower()}", _tone(2, rate, rate), rate, fmt, subtype)
    data = path.read_bytes()
    path.unlink()
    path.parent.rmdir()
    return data


def test_text_renamed_to_wav(tmp_path):
    library, ref, path = _bad(tmp_path, "WHSH_Text_A_B.wav", b"this is not audio\n" * 20)
    with pytest.raises(
        MediaError, match=f"{_at(path)}: not a readable audio file \\(format not recognised\\)$"
    ):
        library.load(ref)


def test_zero_byte_file(tmp_path):
    library, ref, path = _bad(tmp_path, "WHSH_Empty_A_B.wav", b"")
    with pytest.raises(MediaError, match=f"{_at(path)}: not a readable audio file"):
        library.load(ref)


@pytest.mark.parametrize(
    ("suffix", "fmt", "subtype"),
    [
        ("wav", "WAV", "PCM_16"),
        ("aiff", "AIFF", "PCM_16"),
        ("flac", "FLAC", "PCM_16"),
        ("ogg", "OGG", "VORBIS"),
        ("mp3", "MP3", "MPEG_LAYER_III"),
    ],
)
@pytest.mark.parametrize("kept", [0.5, 0.1])
def test_truncated_files(tmp_path, suffix, fmt, subtype, kept):
    data = _encoded(tmp_path, fmt, subtype)
    library, ref, path = _bad(tmp_path, f"WHSH_Cut_A_B.{suffix}", data[: int(len(data) * kept)])
    with pytest.raises(MediaError, match=f"{_at(path)}: (truncated|corrupt|not a readable audio file)"):
        library.load(ref)


def test_truncated_wav_says_how_much_is_missing(tmp_path):
    data = _encoded(tmp_path, "WAV", "PCM_16")
    header = data.find(b"data") + 8
    library, ref, path = _bad(tmp_path, "WHSH_Cut_A_B.wav", data[: header + 4 * 1000])
    message = f"{_at(path)}: truncated: it ends at 0.023 s of the 1.000 s its header declares$"
    with pytest.raises(MediaError, match=message):
        library.load(ref)


def test_header_only_wav_holds_no_samples(tmp_path):
    _write(tmp_path / "WHSH_Nothing_A_B.wav", np.zeros((1, 0), np.float32), 48000)
    library = open_sample_library(tmp_path)
    with pytest.raises(MediaError, match=f"{_at(tmp_path / 'WHSH_Nothing_A_B.wav')}: holds no samples$"):
        library.load(library.find("WHSH")[0])


@pytest.mark.parametrize(
    ("level", "said"),
    [(0.0, "digital silence"), (10 ** (-90 / 20), "-90.0 dBFS")],
)
def test_silent_files(tmp_path, level, said):
    audio = np.full((2, 4800), level, dtype=np.float32)
    path = _write(tmp_path / "WHSH_Quiet_A_B.wav", audio, 48000, subtype="FLOAT")
    library = open_sample_library(tmp_path)
    with pytest.raises(MediaError, match=f"{_at(path)}: is silent \\(peak {said}, below -80 dBFS\\)$"):
        library.load(library.find("WHSH")[0])


def test_quiet_but_not_silent_file_loads(tmp_path):
    audio = np.full((1, 4800), 10 ** (-79 / 20), dtype=np.float32)
    _write(tmp_path / "WHSH_Quiet_A_B.wav", audio, 48000, subtype="FLOAT")
    library = open_sample_library(tmp_path)
    assert math.isclose(float(library.load(library.find("WHSH")[0])[0].max()), 10 ** (-79 / 20), rel_tol=1e-6)


def test_nan_samples(tmp_path):
    audio = _tone(1, 4800, 48000)
    audio[0, 100] = np.nan
    path = _write(tmp_path / "WHSH_Nan_A_B.wav", audio, 48000, subtype="FLOAT")
    library = open_sample_library(tmp_path)
    with pytest.raises(MediaError, match=f"{_at(path)}: holds NaN or infinite samples$"):
        library.load(library.find("WHSH")[0])


def test_implausible_sample_rate(tmp_path):
    path = _write(tmp_path / "WHSH_Slow_A_B.wav", _tone(1, 400, 400), 400)
    library = open_sample_library(tmp_path)
    with pytest.raises(MediaError, match=rf"{_at(path)}: sample rate 400 Hz is outside \[1000, 768000\] Hz$"):
        library.load(library.find("WHSH")[0])


def test_file_removed_after_the_scan(tmp_path):
    library = _library(tmp_path, ["WHSH_Gone_A_B.wav"])
    (tmp_path / "WHSH_Gone_A_B.wav").unlink()
    with pytest.raises(MediaError, match=f"{_at(tmp_path / 'WHSH_Gone_A_B.wav')}: no such file"):
        library.load(library.find("WHSH")[0])


def test_load_refuses_a_ref_from_another_library(tmp_path):
    library = _library(tmp_path, ["WHSH_A_B_C.wav"])
    with pytest.raises(MediaError, match=r"no sample 'WHSH_Other_B_C\.wav' in the library"):
        library.load(SampleRef("WHSH_Other_B_C.wav", "WHSH"))
