import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sonics.core.errors import ExportError, MediaError, ParameterError
from sonics.export.mp4 import mux_scored_video, scored_video_suffix

SR = 48000
BURST_AT = 48000  # the mix's tone burst starts 1 s after the first frame


def _mix(n_samples: int) -> np.ndarray:
    """Quiet noise, with a 1 kHz burst at BURST_AT to find where the mix lands."""
    mix = np.random.default_rng(4).normal(0.0, 0.01, (2, n_samples)).astype(np.float32)
    t = np.arange(2400) / SR
    mix[:, BURST_AT : BURST_AT + 2400] += 0.5 * np.sin(2 * np.pi * 1000 * t) * np.hanning(2400)
    return mix


def _packets(path: Path, kind: str, index: int = 0) -> list[tuple[bytes, Fraction, Fraction | None, bool]]:
    """Every packet of one stream: bytes, pts and dts in seconds (exact), key-frame flag."""
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[index]
        return [
            (bytes(p), p.pts * p.time_base, None if p.dts is None else p.dts * p.time_base, p.is_keyframe)
            for p in container.demux(stream)
            if p.size
        ]


def _burst_s(path: Path) -> float:
    """Where the decoded mix's burst is, in seconds on the file's clock."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        frames = list(container.decode(stream))
    decoded = np.concatenate([f.to_ndarray() for f in frames], axis=1)
    t = np.arange(2400) / SR
    burst = np.sin(2 * np.pi * 1000 * t) * np.hanning(2400)
    return (
        float(frames[0].pts * frames[0].time_base)
        + int(np.argmax(np.correlate(decoded[0], burst, mode="valid"))) / SR
    )


def _remux(source: Path, target: Path, format_name: str) -> Path:
    """Copy every stream of ``source`` into another container (the test's own independent remux)."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format=format_name) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams}
        for packet in inp.demux():
            if packet.size:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    return target


def _picture_s(edit_video) -> float:
    return edit_video.n_frames / float(edit_video.frame_rate)


def test_video_is_copied_packet_for_packet_and_the_mix_is_aac_48k_stereo(edit_video, tmp_path):
    n = round(_picture_s(edit_video) * SR)
    out = mux_scored_video(edit_video.path, _mix(n), tmp_path / "scored.mp4")
    assert out == tmp_path / "scored.mp4"
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temporary file's 0o600
    original, copied = _packets(edit_video.path, "video"), _packets(out, "video")
    assert len(copied) == edit_video.n_frames
    assert copied == original  # bytes, pts, dts and key frames
    with av.open(str(out)) as container:
        (video,), audio = container.streams.video, container.streams.audio
        assert len(audio) == 1
        mix = audio[0]
        assert (mix.codec_context.name, mix.rate, mix.channels) == ("aac", SR, 2)
        assert mix.disposition & av.stream.Disposition.default
        assert float(mix.duration * mix.time_base) == pytest.approx(_picture_s(edit_video), abs=1024 / SR)
        assert mix.start_time * mix.time_base == video.start_time * video.time_base
        assert "creation_time" not in container.metadata
        assert all("creation_time" not in s.metadata for s in container.streams)
    assert _burst_s(out) == pytest.approx(BURST_AT / SR, abs=1 / SR)  # the mix starts with the first frame


def test_the_original_audio_can_be_kept_as_a_second_copied_track(edit_video, tmp_path):
    n = round(_picture_s(edit_video) * SR)
    out = mux_scored_video(edit_video.path, _mix(n), tmp_path / "scored.mp4", keep_original_audio=True)
    with av.open(str(out)) as container:
        audio = container.streams.audio
        assert len(audio) == 2
        assert audio[0].channels == 2 and audio[0].disposition & av.stream.Disposition.default
        assert not audio[1].disposition & av.stream.Disposition.default
    assert _packets(out, "audio", 1) == _packets(edit_video.path, "audio", 0)
    assert _packets(out, "video") == _packets(edit_video.path, "video")


def test_same_inputs_give_the_same_bytes(edit_video, tmp_path):
    mix = _mix(round(_picture_s(edit_video) * SR))
    first = mux_scored_video(edit_video.path, mix, tmp_path / "a.mp4", keep_original_audio=True).read_bytes()
    second = mux_scored_video(edit_video.path, mix, tmp_path / "b.mp4", keep_original_audio=True).read_bytes()
    assert first == second


def test_a_matroska_input_keeps_every_frame_and_its_times(edit_video, tmp_path):
    source = _remux(edit_video.path, tmp_path / "cut.mkv", "matroska")
    n = round(_picture_s(edit_video) * SR)
    out = mux_scored_video(source, _mix(n), tmp_path / "scored.mp4")
    original, copied = _packets(source, "video"), _packets(out, "video")
    assert len(copied) == len(original) == edit_video.n_frames
    assert [p[0] for p in copied] == [p[0] for p in original]
    assert [p[1] for p in copied] == [p[1] for p in original]  # pts exact, in seconds
    # Matroska stores no dts for the first reordered frames; where it does, they are kept.
    assert all(o[2] is None or c[2] == o[2] for o, c in zip(original, copied, strict=True))
    assert [p[3] for p in copied] == [p[3] for p in original]
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        first_s = video.start_time * video.time_base
    assert first_s > 0  # the remux delayed the picture; the mix follows it
    assert _burst_s(out) == pytest.approx(float(first_s) + BURST_AT / SR, abs=1 / SR)


def _webm(path: Path, codec: str, audio: bool = False) -> Path:
    """A one-second 64x64 WebM at 24 fps, with Opus sound when ``audio``."""
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream(codec, rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        sound = out.add_stream("libopus", rate=SR, layout="stereo") if audio else None
        for i in range(24):
            rgb = np.full((64, 64, 3), i * 10, np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None:
            samples = av.AudioFrame.from_ndarray(
                np.zeros((2, SR), np.float32), format="fltp", layout="stereo"
            )
            samples.sample_rate, samples.pts = SR, 0
            out.mux(sound.encode(samples))
            out.mux(sound.encode(None))
    return path


def test_a_vp9_webm_goes_into_mp4_with_its_opus_kept(tmp_path):
    source = _webm(tmp_path / "cut.webm", "libvpx-vp9", audio=True)
    assert scored_video_suffix(source, keep_original_audio=True) == ".mp4"
    out = mux_scored_video(
        source, np.zeros((2, SR), np.float32), tmp_path / "scored.mp4", keep_original_audio=True
    )
    original, copied = _packets(source, "video"), _packets(out, "video")
    assert [(p[0], p[1], p[3]) for p in copied] == [(p[0], p[1], p[3]) for p in original]
    with av.open(str(out)) as container:
        assert [s.codec_context.name for s in container.streams] == ["vp9", "aac", "opus"]
    assert [p[0] for p in _packets(out, "audio", 1)] == [p[0] for p in _packets(source, "audio", 0)]


def test_a_codec_mp4_cannot_hold_is_refused_in_one_line_and_fits_matroska(tmp_path):
    source = _webm(tmp_path / "cut.webm", "libvpx")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    mix = np.zeros((2, SR), np.float32)
    with pytest.raises(ExportError, match=r"vp8 cannot go into \.mp4 .*write scored\.mkv instead") as info:
        mux_scored_video(source, mix, out_dir / "scored.mp4")
    assert "\n" not in str(info.value)
    assert list(out_dir.iterdir()) == []
    assert scored_video_suffix(source) == ".mkv"
    out = mux_scored_video(source, mix, out_dir / "scored.mkv")
    assert [p[0] for p in _packets(out, "video")] == [p[0] for p in _packets(source, "video")]


def test_bad_inputs_are_refused_and_leave_nothing(edit_video, tmp_path):
    n = round(_picture_s(edit_video) * SR)
    with pytest.raises(ParameterError, match="the mix must be the picture's length"):
        mux_scored_video(edit_video.path, np.zeros((2, n + SR), np.float32), tmp_path / "s.mp4")
    with pytest.raises(ParameterError, match="shape"):
        mux_scored_video(edit_video.path, np.zeros(n, np.float32), tmp_path / "s.mp4")
    with pytest.raises(ExportError, match=r"must end in \.mp4"):
        mux_scored_video(edit_video.path, np.zeros((2, n), np.float32), tmp_path / "s.avi")
    with pytest.raises(MediaError, match="no such file"):
        mux_scored_video(tmp_path / "missing.mp4", np.zeros((2, n), np.float32), tmp_path / "s.mp4")
    with pytest.raises(ExportError, match="the folder does not exist"):
        mux_scored_video(edit_video.path, np.zeros((2, n), np.float32), tmp_path / "no" / "s.mp4")
    with pytest.raises(ParameterError, match="NaN"):
        mux_scored_video(edit_video.path, np.full((2, n), np.nan, np.float32), tmp_path / "s.mp4")
    assert list(tmp_path.iterdir()) == []
