"""report.html in a real headless Chromium: it loads clean, the video plays, the playhead and keys work.

The browser is Debian's ``chromium`` (``.ci/run`` installs it when it runs as root); without
one these tests are skipped, and say so.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.core.timebase import frame_to_timecode
from sonics.export.report import LoudnessCurve, report_html, thumbnail_frames
from sonics.export.wav import wav_bytes
from sonics.io.thumbnails import read_thumbnails
from sonics.testing import Edit, Shot, Transition, edit_truth
from sonics.testing.analysis import truth_analysis
from sonics.testing.browser import HeadlessChromium, Page, find_chromium

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="no chromium to run the report in (Debian: apt-get install chromium; or set SONICS_CHROMIUM)",
)

H264 = 'video/mp4; codecs="avc1.64000d, mp4a.40.2"'
"""What sonics.testing writes: H.264 High profile (level 1.3 at 320x180) with AAC-LC."""


@pytest.fixture(scope="module")
def browser() -> HeadlessChromium:
    with HeadlessChromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def run_dir(edit_video, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A score run's folder: the scored video, two 24-bit stems and the report beside them."""
    out = tmp_path_factory.mktemp("run")
    shutil.copyfile(edit_video.path, out / "scored.mp4")
    analysis = truth_analysis(edit_video.truth, "scored.mp4")
    n_samples = round(analysis.picture.duration_s * 48000)
    rng = np.random.default_rng(2)
    stems = tuple(
        Stem(name, role, (rng.standard_normal((2, n_samples)) * 0.05).astype(np.float32), 48000)
        for name, role in (("sfx_whoosh", "effects"), ("music_drums", "music"))
    )
    (out / "stems").mkdir()
    for stem in stems:
        (out / "stems" / f"{stem.name}.wav").write_bytes(wav_bytes(stem.audio, 48000, bits=24))
    cues = CueSheet(
        analysis.picture.duration_s,
        n_samples,
        analysis.picture.frame_rate,
        "battle",
        ("whoosh",),
        tuple(Cue(c.time_s, CueKind.HIT, "cut", "whoosh", 0.8, 0.3, "on the cut") for c in analysis.cuts),
    )
    tempo = TempoMap.constant(120.0, frame_rate=analysis.picture.frame_rate).with_hits(analysis.hits())
    times = np.arange(0.0, analysis.picture.duration_s, 0.1)
    loudness = LoudnessCurve(np.c_[times, -16.0 + np.cos(times)], -14.0, -1.1, target_lufs=-14.0)
    pictures = read_thumbnails(
        out / "scored.mp4", thumbnail_frames(analysis), frame_times_s=analysis.frame_times_s
    )
    page = report_html(
        analysis=analysis,
        cues=cues,
        tempo_map=tempo,
        loudness=loudness,
        stems=stems,
        thumbnails=pictures,
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return out


def _open(browser: HeadlessChromium, path: Path) -> Page:
    return browser.open(path.resolve().as_uri())


def _video_state(page: Page) -> dict:
    return page.evaluate(
        "(() => { const v = document.querySelector('video');"
        " return {t: v.currentTime, paused: v.paused, ready: v.readyState, error: v.error && v.error.code,"
        " playhead: parseFloat(document.querySelector('.playhead').style.left),"
        " readout: document.getElementById('readout').textContent}; })()"
    )


def _webm_copy(source: Path, target: Path) -> None:
    """Re-encode a video as VP9 in WebM, which every Chromium decodes (for builds without H.264)."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format="webm") as out:
        stream = out.add_stream("libvpx-vp9", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i, frame in enumerate(inp.decode(video=0)):
            frame.pts, frame.time_base = i, Fraction(1, 24)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_the_page_loads_clean_and_the_video_plays(browser: HeadlessChromium, run_dir: Path) -> None:
    page = _open(browser, run_dir / "report.html")
    if not page.evaluate(f"document.createElement('video').canPlayType({H264!r})"):
        # A Chromium built without proprietary codecs: check playback with VP9 instead, and that
        # the page explains why scored.mp4 does not play.
        page.wait_for("!document.getElementById('video-note').hidden")
        _webm_copy(run_dir / "scored.mp4", run_dir / "scored.webm")
        text = (
            (run_dir / "report.html")
            .read_text(encoding="utf-8")
            .replace('src="scored.mp4"', 'src="scored.webm"')
        )
        (run_dir / "report_webm.html").write_text(text, encoding="utf-8")
        page = _open(browser, run_dir / "report_webm.html")
    page.wait_for("document.querySelector('video').readyState >= 2")
    before = _video_state(page)
    assert before["t"] == 0 and before["paused"] and before["playhead"] == 0
    page.evaluate("document.querySelector('video').play()")
    state = page.wait_for(
        "(() => { const t = document.querySelector('video').currentTime; return t > 0.5 && t; })()",
        timeout_s=10,
    )
    assert state > 0.5
    moved = _video_state(page)
    assert not moved["paused"] and moved["error"] is None
    assert moved["playhead"] > 10.0  # percent of the picture: the playhead runs with the video
    assert moved["readout"] != before["readout"]
    assert page.evaluate("document.getElementById('video-note').hidden")
    assert page.problems() == []


def test_every_stem_loads_and_lasts_as_long_as_the_picture(browser: HeadlessChromium, run_dir: Path) -> None:
    page = _open(browser, run_dir / "report.html")
    page.wait_for(
        "Array.from(document.querySelectorAll('audio.stem')).every(a => a.readyState >= 1 || a.error)"
    )
    stems = page.evaluate(
        "Array.from(document.querySelectorAll('audio.stem')).map(a => [a.error, a.duration])"
    )
    assert len(stems) == 2
    for error, duration in stems:
        assert error is None
        assert duration == pytest.approx(3.0, abs=1e-3)
    assert page.problems() == []


def test_space_plays_and_pauses(browser: HeadlessChromium, run_dir: Path) -> None:
    page = _open(browser, run_dir / "report.html")
    page.wait_for("document.querySelector('video').readyState >= 2")
    page.press(" ", "Space", 32, " ")
    page.wait_for(
        "!document.querySelector('video').paused && document.querySelector('video').currentTime > 0.2"
    )
    page.press(" ", "Space", 32, " ")
    page.wait_for("document.querySelector('video').paused")
    stopped = _video_state(page)["t"]
    browser.pump(0.3)
    assert _video_state(page)["t"] == stopped
    assert page.problems() == []


def test_a_click_on_a_lane_seeks_the_video_and_the_stems(browser: HeadlessChromium, run_dir: Path) -> None:
    page = _open(browser, run_dir / "report.html")
    page.wait_for("document.querySelector('video').readyState >= 1")
    left, top, width, height = page.evaluate(
        "(() => { const r = document.querySelector('.track.motion').getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; })()"
    )
    page.click(left + 0.4 * width, top + height / 2)
    page.wait_for("!document.querySelector('video').seeking")
    state = _video_state(page)
    assert state["t"] == pytest.approx(0.4 * 3.0, abs=3.0 / width + 1e-3)
    stems = page.evaluate("Array.from(document.querySelectorAll('audio.stem')).map(a => a.currentTime)")
    assert stems == pytest.approx([state["t"]] * 2, abs=1e-3)
    frame = int(state["t"] * 24 + 1e-6)
    assert state["readout"].startswith(f"{frame_to_timecode(frame, Fraction(24))}  frame {frame} ")
    # A cut's marker snaps to the cut's first frame; the arrow keys then step frame by frame.
    marker = page.evaluate(
        "(() => { const m = document.querySelectorAll('.cut.snap')[1]; const r = m.getBoundingClientRect();"
        " return [r.left + r.width / 2, r.top + r.height / 2, Number(m.dataset.frame)]; })()"
    )
    page.click(marker[0], marker[1])
    assert marker[2] == 38
    assert page.wait_for("document.getElementById('readout').textContent").startswith(
        "00:00:01:14  frame 38 "
    )
    assert _video_state(page)["t"] == pytest.approx(38 / 24, abs=1e-3)
    page.press("ArrowRight", "ArrowRight", 39)
    page.press("ArrowRight", "ArrowRight", 39)
    page.press("ArrowLeft", "ArrowLeft", 37)
    assert _video_state(page)["readout"].startswith("00:00:01:15  frame 39 ")
    assert page.problems() == []


def test_zoom_widens_every_lane_together(browser: HeadlessChromium, tmp_path: Path) -> None:
    shots = tuple(Shot(48, seed=i) for i in range(30))  # one minute, no media: after `sonics analyze`
    analysis = truth_analysis(edit_truth(Edit(shots, (Transition(),) * 29)))
    tempo = TempoMap.constant(200.0).with_hits(analysis.hits())  # 50 bars: too many to label at 1x
    (tmp_path / "report.html").write_text(
        report_html(analysis=analysis, tempo_map=tempo, video=None), "utf-8"
    )
    page = _open(browser, tmp_path / "report.html")
    measure = (
        "(() => { const inner = document.querySelector('.inner').getBoundingClientRect();"
        " const cut = document.querySelectorAll('.cut.snap')[10].getBoundingClientRect();"
        " return {width: inner.width, cut: (cut.left + cut.width / 2 - inner.left) / inner.width,"
        " ticks: document.querySelectorAll('.ruler span').length,"
        " bars: document.querySelectorAll('.barno:not(.hide)').length}; })()"
    )
    first = page.evaluate(measure)
    page.evaluate(
        "(() => { const z = document.getElementById('zoom'); z.value = '1000';"
        " z.dispatchEvent(new Event('input')); })()"
    )
    wide = page.evaluate(measure)
    assert wide["width"] == pytest.approx(15 * first["width"], rel=1e-3)  # 60 s, the deepest zoom shows 4 s
    assert wide["cut"] == pytest.approx(first["cut"], abs=2 / wide["width"])
    assert wide["cut"] == pytest.approx(analysis.cuts[10].time_s / 60.0, abs=2 / wide["width"])
    assert wide["ticks"] > first["ticks"] and wide["bars"] > first["bars"]
    assert page.problems() == []


def test_a_video_the_browser_cannot_decode_gets_a_clear_note(
    browser: HeadlessChromium, run_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "stems").mkdir()
    for wav in (run_dir / "stems").iterdir():
        shutil.copyfile(wav, tmp_path / "stems" / wav.name)
    shutil.copyfile(run_dir / "report.html", tmp_path / "report.html")
    # MPEG-4 Part 2, which no Chromium decodes: like a scored.mp4 holding the cut's ProRes or DNxHD.
    with av.open(str(tmp_path / "scored.mp4"), "w") as container:
        stream = container.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i in range(24):
            image = np.full((180, 320, 3), 10 * i, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    page = _open(browser, tmp_path / "report.html")
    note = page.wait_for(
        "!document.getElementById('video-note').hidden && document.getElementById('video-note').textContent"
    )
    assert "cannot play scored.mp4" in note and "VLC" in note
    page.press(" ", "Space", 32, " ")  # the play attempt fails quietly, into the note
    browser.pump(0.3)
    assert page.problems() == []


def test_drop_frame_timecode_on_the_page_matches_sonics(browser: HeadlessChromium, tmp_path: Path) -> None:
    # Eleven minutes at 29.97: the frames either side of the dropped numbers at the minutes.
    rate = Fraction(30000, 1001)
    edges = (1799, 1800, 3597, 3598, 17981, 17982, 17983, 19000)
    lengths = np.diff([0, *edges, 19800])
    shots = tuple(Shot(int(n), seed=i) for i, n in enumerate(lengths))
    truth = edit_truth(Edit(shots, (Transition(),) * (len(shots) - 1), frame_rate=rate))
    analysis = truth_analysis(truth)
    (tmp_path / "report.html").write_text(report_html(analysis=analysis, video=None), encoding="utf-8")
    page = _open(browser, tmp_path / "report.html")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('.cutcard')).map(c => { c.click();"
        " return document.getElementById('readout').textContent.split('  ')[0]; })"
    )
    assert shown == [frame_to_timecode(f, rate) for f in edges]
    assert shown[1] == "00:01:00;02"
    assert page.problems() == []
