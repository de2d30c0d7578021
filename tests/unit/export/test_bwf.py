import io
import struct
import wave
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pytest
import soundfile

from sonics.core.errors import ParameterError
from sonics.export.bwf import BextLoudness, BwfInfo, bwf_bytes, bwf_chunks

NTSC_24 = Fraction(24000, 1001)
NTSC_30 = Fraction(30000, 1001)


def _riff(data: bytes) -> list[tuple[bytes, bytes]]:
    """Walk a RIFF/WAVE file with struct alone: [(chunk id, payload)], checking every size."""
    riff, size, wave_id = struct.unpack_from("<4sI4s", data, 0)
    assert (riff, wave_id) == (b"RIFF", b"WAVE")
    assert size == len(data) - 8
    chunks, pos = [], 12
    while pos < len(data):
        chunk_id, n = struct.unpack_from("<4sI", data, pos)
        chunks.append((chunk_id, data[pos + 8 : pos + 8 + n]))
        pos += 8 + n + (n % 2)
    assert pos == len(data)
    return chunks


def _bext(payload: bytes) -> dict:
    fields = struct.unpack_from("<256s32s32s10s8sIIH64s5h180s", payload, 0)
    text = [f.rstrip(b"\0").decode("ascii") for f in fields[:5]]
    return {
        "description": text[0],
        "originator": text[1],
        "originator_reference": text[2],
        "date": text[3],
        "time": text[4],
        "time_reference": fields[5] | fields[6] << 32,
        "version": fields[7],
        "umid": fields[8],
        "loudness": fields[9:14],
        "coding_history": payload[602:].decode("ascii"),
    }


def _noise(channels: int, n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (channels, n)).astype(np.float32)


@pytest.mark.parametrize(
    ("rate", "timecode", "expected"),
    [
        (Fraction(24), "01:00:00:00", 172_800_000),  # 3600 s x 48000
        (Fraction(25), "01:00:00:00", 172_800_000),
        (NTSC_24, "01:00:00:00", 172_972_800),  # 86400 frames x 1001/24000 s = 3603.6 s
        (NTSC_30, "01:00:00;00", 172_799_827),  # 107892 DF frames = 3599.9964 s -> 172799827.2
        (NTSC_30, "00:10:00;00", 28_799_971),  # 17982 DF frames -> 28799971.2
        (NTSC_30, "01:00:00:00", 172_972_800),  # non-drop count at 29.97: 108000 frames = 3603.6 s
        (Fraction(24), "00:00:00:00", 0),
    ],
)
def test_time_reference_is_samples_since_midnight_of_the_start_timecode(rate, timecode, expected):
    data = bwf_bytes(_noise(2, 10), BwfInfo(rate, timecode))
    chunks = dict(_riff(data))
    assert _bext(chunks[b"bext"])["time_reference"] == expected
    ixml = ET.fromstring(chunks[b"iXML"].decode("utf-8"))
    lo = int(ixml.findtext("SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO"))
    hi = int(ixml.findtext("SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI"))
    assert hi << 32 | lo == expected
    assert ixml.findtext("SPEED/TIMECODE_FLAG") == ("DF" if ";" in timecode else "NDF")
    assert ixml.findtext("SPEED/TIMECODE_RATE") == f"{rate.numerator}/{rate.denominator}"


def test_time_reference_uses_both_words_and_adds_the_offset():
    info = BwfInfo(Fraction(25), "23:00:00:00", offset_samples=5)
    chunks = dict(_riff(bwf_bytes(_noise(1, 4), info, sample_rate=96000)))
    assert _bext(chunks[b"bext"])["time_reference"] == 82800 * 96000 + 5  # > 2**32


def test_bext_fields_are_fixed_and_the_chunks_sit_between_fmt_and_data():
    info = BwfInfo(
        NTSC_24,
        "01:00:00:00",
        description="sfx layer whoosh",
        originator_reference="sonics:sfx_whoosh",
        loudness=BextLoudness(-23.0, true_peak_dbtp=-1.05),
        project="battle",
        scene="12",
    )
    data = bwf_bytes(_noise(2, 100), info)
    chunks = _riff(data)
    assert [c for c, _ in chunks] == [b"fmt ", b"bext", b"iXML", b"data"]
    bext = _bext(dict(chunks)[b"bext"])
    assert bext["description"] == "sfx layer whoosh"
    assert bext["originator"] == "sonics"
    assert bext["originator_reference"] == "sonics:sfx_whoosh"
    assert (bext["date"], bext["time"]) == ("2000-01-01", "00:00:00")
    assert bext["version"] == 2
    assert bext["umid"] == bytes(64)
    assert bext["loudness"] == (-2300, 0x7FFF, -105, 0x7FFF, 0x7FFF)
    assert bext["coding_history"] == "A=PCM,F=48000,W=24,M=stereo,T=sonics\r\n"
    fmt = struct.unpack("<HHIIHH", dict(chunks)[b"fmt "])
    assert fmt == (1, 2, 48000, 48000 * 6, 6, 24)
    ixml = ET.fromstring(dict(chunks)[b"iXML"])
    assert (ixml.findtext("PROJECT"), ixml.findtext("SCENE"), ixml.findtext("TAKE")) == ("battle", "12", "1")
    names = [t.findtext("NAME") for t in ixml.iterfind("TRACK_LIST/TRACK")]
    assert names == ["sfx_whoosh L", "sfx_whoosh R"]


@pytest.mark.parametrize("channels", [1, 2])
def test_samples_round_trip_to_24_bit_precision(channels):
    audio = _noise(channels, 4801) * 0.9
    data = bwf_bytes(audio, BwfInfo(Fraction(24)))
    read, rate = soundfile.read(io.BytesIO(data), dtype="float64", always_2d=True)
    assert rate == 48000 and read.shape == (4801, channels)
    assert np.max(np.abs(read.T - audio)) <= 0.5 / 2**23 + 1e-12
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (
            channels,
            3,
            48000,
            4801,
        )
        raw = np.frombuffer(w.readframes(4801), np.uint8).reshape(-1, 3)
    ints = (
        (raw[:, 0].astype(np.int32) | raw[:, 1].astype(np.int32) << 8 | raw[:, 2].astype(np.int32) << 16)
        << 8
        >> 8
    )
    expected = np.clip(np.round(audio.T.astype(np.float64) * 2**23), -(2**23), 2**23 - 1).reshape(-1)
    np.testing.assert_array_equal(ints, expected)


def test_streamed_pieces_give_the_same_bytes_and_stay_small():
    audio = _noise(2, 10_000)
    info = BwfInfo(Fraction(25), "10:00:00:00", originator_reference="sonics:music_drums")
    pieces = list(bwf_chunks(audio, info, chunk_samples=1024))
    assert b"".join(pieces) == bwf_bytes(audio, info)
    assert max(len(p) for p in pieces[1:]) <= 1024 * 2 * 3
    assert bwf_bytes(audio.copy(), info) == bwf_bytes(audio, info)


def test_refuses_bad_fields():
    audio = _noise(2, 8)
    with pytest.raises(ParameterError, match="ASCII"):
        bwf_bytes(audio, BwfInfo(Fraction(24), description="café"))
    with pytest.raises(ParameterError, match="at most 32"):
        bwf_bytes(audio, BwfInfo(Fraction(24), originator_reference="x" * 33))
    with pytest.raises(ParameterError, match="yyyy-mm-dd"):
        bwf_bytes(audio, BwfInfo(Fraction(24), origination_date="1/1/2000"))
    with pytest.raises(ParameterError, match="each of the 2 channels"):
        bwf_bytes(audio, BwfInfo(Fraction(24), track_names=("L",)))
    with pytest.raises(ParameterError, match="timecode"):
        bwf_bytes(audio, BwfInfo(Fraction(24), "1:00"))
    with pytest.raises(ParameterError, match="shape"):
        bwf_chunks(np.zeros(8), BwfInfo(Fraction(24)))
    with pytest.raises(ParameterError, match="loudness"):
        bwf_bytes(audio, BwfInfo(Fraction(24), loudness=BextLoudness(float("nan"))))
