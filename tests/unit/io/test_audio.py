"""Decoding audio with PyAV: files written here, with known samples.

AAC in mp4/m4a: FFmpeg drops the encoder's 1024 priming samples (the mp4 edit list)
and read_audio drops the padding of the last 1024-sample frame (the last packet's
duration), so the decoded length is exact and aligned to the sample (measured with
the bundled FFmpeg: 0 samples off, cross-correlation lag 0).
"""

import wave

import av
import numpy as np
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.io.audio import DecodedAudio, has_audio_stream, read_audio

RATE = 48000


def _noise_burst(n: int, rate: int, seed: int = 0) -> np.ndarray:
    """Silence with a noise burst in its second quarter, for alignment by correlation."""
    x = np.zeros(n, dtype=np.float32)
    x[n // 4 : n // 2] = 0.3 * np.random.default_rng(seed).standard_normal(n // 2 - n // 4)
    return x


def _write_wav(path, samples: np.ndarray, rate: int) -> None:
    """Write (channels, n) float samples as 16-bit PCM."""
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(samples.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.T.tobytes())


def _mux(path, samples: np.ndarray, rate: int, codec: str, *, video_frames: int = 0) -> None:
    """Encode (channels, n) float samples with PyAV, optionally beside a small video stream."""
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(path), "w") as container:
        video = None
        if video_frames:
            video = container.add_stream("mpeg4", rate=25)
            video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        step = 960 if codec == "libopus" else 1024
        for pos in range(0, samples.shape[1], step):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, pos : pos + step]), format="fltp", layout=layout
            )
            frame.sample_rate = rate
            frame.pts = pos
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if video is not None:
            for i in range(video_frames):
                picture = av.VideoFrame.from_ndarray(
                    np.full((48, 64, 3), 16 * (i % 8), np.uint8), format="rgb24"
                )
                picture.pts = i
                for packet in video.encode(picture):
                    container.mux(packet)
            for packet in video.encode(None):
                container.mux(packet)


def _lag(decoded: np.ndarray, reference: np.ndarray, max_lag: int = 2000) -> int:
    n = len(reference)
    window = slice(n // 8, 5 * n // 8)
    lags = np.arange(-max_lag, max_lag + 1)
    scores = [np.dot(decoded[window.start + k : window.stop + k], reference[window]) for k in lags]
    return int(lags[int(np.argmax(scores))])


def test_wav_is_read_sample_exact(tmp_path):
    x = _noise_burst(RATE + 123, RATE)
    _write_wav(tmp_path / "a.wav", x[None], RATE)
    decoded = read_audio(tmp_path / "a.wav")
    assert isinstance(decoded, DecodedAudio)
    assert decoded.audio.dtype == np.float32
    assert decoded.audio.shape == (1, RATE + 123)
    assert decoded.sample_rate == RATE and decoded.source_sample_rate == RATE and decoded.source_channels == 1
    assert decoded.start_s == 0.0 and decoded.warnings == ()
    np.testing.assert_allclose(decoded.audio[0], np.round(np.clip(x, -1, 1) * 32767) / 32768, atol=1e-6)


def test_result_unpacks_as_audio_and_rate(tmp_path):
    _write_wav(tmp_path / "a.wav", _noise_burst(4800, RATE)[None], RATE)
    audio, rate = read_audio(tmp_path / "a.wav", sample_rate=16000)
    assert audio.shape == (1, 1600) and rate == 16000


def test_resampling_from_44100(tmp_path):
    n = 2 * 44100 + 7
    t = np.arange(n) / 44100
    _write_wav(tmp_path / "a.wav", (0.5 * np.sin(2 * np.pi * 1000.0 * t))[None], 44100)
    decoded = read_audio(tmp_path / "a.wav", sample_rate=RATE)
    assert decoded.source_sample_rate == 44100
    assert abs(decoded.n_samples - n * RATE / 44100) <= 1.0
    spectrum = np.abs(np.fft.rfft(decoded.audio[0, :RATE]))
    assert np.argmax(spectrum) == 1000  # 1 Hz bins over one second
    assert np.abs(decoded.audio).max() == pytest.approx(0.5, abs=0.01)


def test_stereo_is_kept_or_averaged(tmp_path):
    x = _noise_burst(RATE, RATE)
    _write_wav(tmp_path / "a.wav", np.vstack([x, 0.5 * x]), RATE)
    stereo = read_audio(tmp_path / "a.wav")
    assert stereo.audio.shape == (2, RATE) and stereo.source_channels == 2
    mono = read_audio(tmp_path / "a.wav", mono=True)
    assert mono.audio.shape == (1, RATE)
    np.testing.assert_allclose(mono.audio[0], stereo.audio.mean(axis=0), atol=1e-6)


@pytest.mark.parametrize("n", [2 * RATE, 2 * RATE + 517])
def test_mp4_with_aac_beside_video_is_exact_and_aligned(tmp_path, n):
    x = _noise_burst(n, RATE, seed=n)
    path = tmp_path / "cut.mp4"
    _mux(path, np.vstack([x, x]), RATE, "aac", video_frames=50)
    assert has_audio_stream(path)
    decoded = read_audio(path)
    assert decoded.audio.shape == (2, n)  # priming and final-frame padding both dropped
    assert decoded.start_s == 0.0 and decoded.warnings == ()
    assert _lag(decoded.audio[0], x) == 0
    fast = read_audio(path, sample_rate=16000, mono=True)
    assert fast.audio.shape == (1, round(n / 3))
    assert _lag(np.repeat(fast.audio[0], 3), x, max_lag=30) in (-1, 0, 1)


def test_m4a_aac_mono(tmp_path):
    x = _noise_burst(RATE, RATE)
    _mux(tmp_path / "a.m4a", x[None], RATE, "aac")
    decoded = read_audio(tmp_path / "a.m4a")
    assert decoded.audio.shape == (1, RATE)
    assert _lag(decoded.audio[0], x) == 0


@pytest.mark.parametrize(("name", "codec", "rate"), [("a.flac", "flac", 44100), ("a.ogg", "libopus", RATE)])
def test_other_audio_files(tmp_path, name, codec, rate):
    x = _noise_burst(rate, rate)
    _mux(tmp_path / name, np.vstack([x, x]), rate, codec)
    decoded = read_audio(tmp_path / name)
    assert decoded.source_sample_rate == rate
    assert abs(decoded.duration_s - 1.0) <= 0.001
    assert decoded.warnings == ()


def test_max_duration_stops_early(tmp_path):
    _write_wav(tmp_path / "a.wav", _noise_burst(3 * 44100, 44100)[None], 44100)
    decoded = read_audio(tmp_path / "a.wav", sample_rate=16000, max_duration_s=1.25)
    assert decoded.audio.shape == (1, 20000)


def test_corrupt_stream_keeps_what_decodes(tmp_path):
    x = _noise_burst(4 * RATE, RATE)
    good = tmp_path / "good.mkv"
    _mux(good, np.vstack([x, x]), RATE, "aac")
    data = bytearray(good.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 3000] = bytes(3000)
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(bytes(data))
    decoded = read_audio(bad)
    assert 0 < decoded.duration_s < 3.0
    assert len(decoded.warnings) == 1 and "bad.mkv" in decoded.warnings[0]
    assert "kept" in decoded.warnings[0]
    full = read_audio(good).audio
    np.testing.assert_array_equal(decoded.audio[:, : RATE // 2], full[:, : RATE // 2])


def test_truncated_audio_file_is_reported(tmp_path):
    x = _noise_burst(4 * RATE, RATE)
    good = tmp_path / "good.mkv"
    _mux(good, np.vstack([x, x]), RATE, "aac")
    data = good.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    decoded = read_audio(cut)
    assert 1.0 < decoded.duration_s < 3.0
    assert len(decoded.warnings) == 1 and "truncated" in decoded.warnings[0]


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match=r"nope\.wav: no such file"):
        read_audio(tmp_path / "nope.wav")
    with pytest.raises(MediaError, match="no such file"):
        has_audio_stream(tmp_path / "nope.wav")


def test_folder(tmp_path):
    with pytest.raises(MediaError, match="is a folder"):
        read_audio(tmp_path)


def test_not_a_media_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not media at all\n" * 20)
    with pytest.raises(MediaError, match=r"notes\.txt: not a media file"):
        read_audio(path)


def test_video_without_audio(tmp_path):
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as container:
        video = container.add_stream("mpeg4", rate=25)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            picture = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            picture.pts = i
            for packet in video.encode(picture):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
    assert not has_audio_stream(path)
    with pytest.raises(MediaError, match=r"silent\.mp4: has no audio stream"):
        read_audio(path)


@pytest.mark.parametrize(
    "options", [{"sample_rate": 4000}, {"sample_rate": 44100.5}, {"max_duration_s": 0.0}]
)
def test_bad_options(tmp_path, options):
    _write_wav(tmp_path / "a.wav", np.zeros((1, 100)), RATE)
    with pytest.raises(ParameterError):
        read_audio(tmp_path / "a.wav", **options)
