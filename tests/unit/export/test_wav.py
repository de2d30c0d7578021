import io

import numpy as np
import pytest
import soundfile

from sonics.core.errors import ParameterError
from sonics.export.wav import wav_bytes


def _noise(channels: int, n: int) -> np.ndarray:
    return np.random.default_rng(3).uniform(-1.0, 1.0, (channels, n)).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("n", [1, 1001, 48000])
def test_float_wav_reads_back_bit_exact(channels, n):
    audio = _noise(channels, n)
    data, rate = soundfile.read(io.BytesIO(wav_bytes(audio, 48000)), dtype="float32", always_2d=True)
    info = soundfile.info(io.BytesIO(wav_bytes(audio, 48000)))
    assert (rate, info.subtype, info.channels, info.frames) == (48000, "FLOAT", channels, n)
    np.testing.assert_array_equal(data.T, audio)


def test_pcm24_rounds_to_the_nearest_step_and_clips_at_full_scale():
    audio = np.array([[0.0, 0.5, -0.5, 1.5, -1.5, 1.0 / 8388608.0 * 0.6]], dtype=np.float32)
    data, _ = soundfile.read(io.BytesIO(wav_bytes(audio, 44100, bits=24)), dtype="int32")
    assert list(data >> 8) == [0, 4194304, -4194304, 8388607, -8388608, 1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pcm24_interleaves_every_sample_rounded_exactly(dtype):
    audio = (_noise(2, 70001) * 1.2).astype(dtype)  # longer than one piece, some samples clipped
    data, _ = soundfile.read(io.BytesIO(wav_bytes(audio, 48000, bits=24)), dtype="int32")
    want = np.clip(np.round(audio.astype(np.float64) * 8388608.0), -8388608, 8388607).astype(np.int64)
    np.testing.assert_array_equal(data.T.astype(np.int64) >> 8, want)


def test_same_audio_same_bytes_and_odd_length_data_is_padded():
    audio = _noise(1, 3)
    first, second = wav_bytes(audio, 48000, bits=24), wav_bytes(audio.copy(), 48000, bits=24)
    assert first == second
    assert len(first) % 2 == 0
    assert int.from_bytes(first[4:8], "little") == len(first) - 8


def test_refuses_bad_arguments():
    with pytest.raises(ParameterError, match="bits must be"):
        wav_bytes(_noise(1, 4), 48000, bits=16)
    with pytest.raises(ParameterError, match="shape"):
        wav_bytes(np.zeros(4), 48000)
    with pytest.raises(ParameterError, match="sample_rate"):
        wav_bytes(_noise(1, 4), 0)
