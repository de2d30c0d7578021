"""report.html: well-formed, self-contained, every event on the page with its time, stable bytes."""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from fractions import Fraction
from html.parser import HTMLParser

import av
import numpy as np
import pytest

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.errors import ParameterError
from sonics.core.model import Analysis
from sonics.core.score import Marker, Note, Part, Score, Section
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.core.timebase import frame_to_timecode
from sonics.export.report import LoudnessCurve, report_html, thumbnail_frames
from sonics.testing import Edit, Flash, Shot, Transition, edit_truth
from sonics.testing.analysis import truth_analysis

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Parsed(HTMLParser):
    """Every element with its attributes, and every nesting error, of one page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.doctype = ""
        self._open: list[str] = []
        self.feed(text)
        self.close()
        self.errors += [f"never closed: <{tag}>" for tag in self._open]

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in _VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self._open[-1] if self._open else 'nothing'}>")
        else:
            self._open.pop()

    def with_class(self, *names: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if set(names) <= set(a.get("class", "").split())]


def _edit() -> Edit:
    shots = (
        Shot(30, seed=1, pan_px_per_frame=(3.0, 0.0), stop_frame=20),
        Shot(24, seed=2, flashes=(Flash(5, 2),)),
        Shot(30, seed=3, pan_px_per_frame=(-2.0, 0.0)),
        Shot(20, seed=4),
        Shot(40, seed=5, pan_px_per_frame=(1.0, 1.0)),
    )
    transitions = (Transition(), Transition("dissolve", 8), Transition(), Transition("fade_out_in", 4, 2))
    return Edit(shots, transitions, width=320, height=180, frame_rate=Fraction(24))


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return truth_analysis(edit_truth(_edit()), "/some/where/battle cut.mp4")


@pytest.fixture(scope="module")
def cues(analysis: Analysis) -> CueSheet:
    duration_s = analysis.picture.duration_s
    sheet = [
        Cue(c.time_s, CueKind.HIT, "cut", "whoosh", 0.8, 0.6, f"cut {i} lands the swing")
        for i, c in enumerate(analysis.cuts)
    ]
    sheet += [
        Cue(i.time_s, CueKind.HIT, "impact", "impact", 0.9, 0.4, "the pan stops dead")
        for i in analysis.impacts
    ]
    sheet.append(
        Cue(0.0, CueKind.BED, "bed", "wind", 0.5, duration_s, "air under it all", (0.2, 0.6, 1.0, 0.4), 2.0)
    )
    return CueSheet(
        duration_s,
        round(duration_s * 48000),
        Fraction(24),
        "battle",
        ("whoosh", "impact", "wind", "silent"),
        sheet,
    )


@pytest.fixture(scope="module")
def tempo(analysis: Analysis) -> TempoMap:
    # 120 BPM ramping to 132 over 4 s, then holding: beats continue where the ramp ends.
    segments = (TempoSegment(0.0, -0.5, 120.0, 132.0), TempoSegment(4.0, -0.5 + (120 + 132) * 4 / 120, 132.0))
    return TempoMap(segments, frame_rate=Fraction(24)).with_hits(analysis.hits())


@pytest.fixture(scope="module")
def score(tempo: TempoMap, analysis: Analysis) -> Score:
    drums = Part("drums", "taiko", 0, 9, tuple(Note(b * 0.5, 0.25, 36 + b % 3) for b in range(20)))
    strings = Part("strings", "low_strings", 48, 0, (Note(0, 4, 50), Note(4, 4, 53)))
    return Score(
        tempo,
        (drums, strings),
        analysis.picture.duration_s,
        sections=(Section("drone", -0.5, 4.0, 0.3), Section("battle", 4.0, 12.0, 0.9)),
        markers=(Marker(1.25, "cut 1"),),
    )


@pytest.fixture(scope="module")
def stems(analysis: Analysis) -> tuple[Stem, ...]:
    n = round(analysis.picture.duration_s * 48000)
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal((2, n)) * 0.1).astype(np.float32)
    audio[:, : n // 2] *= 0.01
    return (
        Stem("sfx_whoosh", "effects", audio, 48000),
        Stem("music_drums", "music", audio[::-1].copy(), 48000),
    )


@pytest.fixture(scope="module")
def loudness() -> LoudnessCurve:
    times = np.arange(0.0, 7.0, 0.1)
    values = -18.0 + 4.0 * np.sin(times)
    values[:5] = -np.inf  # silence at the start
    return LoudnessCurve(np.c_[times, values], -14.0, -1.2, target_lufs=-14.0, ceiling_dbtp=-1.0)


@pytest.fixture(scope="module")
def thumbnails(analysis: Analysis) -> dict[int, bytes]:
    """Real JPEG and PNG bytes (tiny), one per frame the report asks for."""
    pictures = {}
    for i, frame in enumerate(thumbnail_frames(analysis)):
        codec, pix_fmt = ("mjpeg", "yuvj420p") if i % 2 else ("png", "rgb24")
        encoder = av.CodecContext.create(codec, "w")
        encoder.width, encoder.height, encoder.pix_fmt = 32, 18, pix_fmt
        encoder.time_base = Fraction(1, 25)
        image = np.full((18, 32, 3), (frame * 7) % 256, dtype=np.uint8)
        picture = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
        pictures[frame] = b"".join(bytes(p) for p in encoder.encode(picture))
    return pictures


@pytest.fixture(scope="module")
def page(analysis, cues, tempo, score, stems, loudness, thumbnails) -> str:
    return report_html(
        analysis=analysis,
        cues=cues,
        tempo_map=tempo,
        score=score,
        loudness=loudness,
        stems=(*stems, "sfx_wind"),
        thumbnails=thumbnails,
    )


def test_page_is_well_formed_html(page: str) -> None:
    parsed = _Parsed(page)
    assert parsed.doctype.lower() == "doctype html"
    assert parsed.errors == []
    assert [t for t, _ in parsed.elements][:2] == ["html", "head"]


def test_page_is_self_contained(page: str) -> None:
    parsed = _Parsed(page)
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "<link" not in page
    # The only files it names are the players' sources, relative to the report.
    sources = sorted(a["src"] for _, a in parsed.elements if "src" in a)
    assert sources == ["scored.mp4", "stems/music_drums.wav", "stems/sfx_whoosh.wav", "stems/sfx_wind.wav"]
    assert not [a for _, a in parsed.elements if "href" in a]
    assert all(not a for t, a in parsed.elements if t == "script" and a.get("type") != "application/json")
    for target in re.findall(r"url\(\"?([^\")]*)", page):
        assert target.startswith("data:image/"), target[:40]


def test_every_cut_is_an_element_with_its_time_and_frame(page: str, analysis: Analysis) -> None:
    parsed = _Parsed(page)
    marks = parsed.with_class("cut", "snap")
    assert [(m["data-t"], m["data-frame"]) for m in marks] == [
        (f"{c.time_s:.6f}", str(c.frame)) for c in analysis.cuts
    ]
    kinds = [m["class"].split()[1] for m in marks]
    assert kinds == [str(c.kind) for c in analysis.cuts]
    assert set(kinds) == {"hard", "dissolve", "fade_out", "fade_in"}
    for mark, cut in zip(marks, analysis.cuts, strict=True):
        assert frame_to_timecode(cut.frame, Fraction(24)) in mark["title"]
    # Gradual transitions also show the span they blend over; every cut has a card.
    assert len(parsed.with_class("span")) == sum(c.is_gradual for c in analysis.cuts)
    assert [c["data-frame"] for c in parsed.with_class("cutcard")] == [str(c.frame) for c in analysis.cuts]


def test_every_cue_is_in_its_layer_lane_with_time_and_reason(page: str, cues: CueSheet) -> None:
    parsed = _Parsed(page)
    marks = parsed.with_class("cue")
    assert Counter((m["data-t"], m["data-layer"]) for m in marks) == Counter(
        (f"{c.time_s:.6f}", c.layer) for c in cues.cues
    )
    for mark in marks:
        cue = next(
            c for c in cues.cues if f"{c.time_s:.6f}" == mark["data-t"] and c.layer == mark["data-layer"]
        )
        assert cue.why in mark["title"] and f"({cue.time_s:.3f} s)" in mark["title"]
        assert ("bed" in mark["class"]) == (cue.kind is CueKind.BED)
    lanes = [a["data-lane"] for _, a in parsed.elements if "data-lane" in a]
    assert [lane for lane in lanes if lane.startswith("cues-")] == [f"cues-{layer}" for layer in cues.layers]
    assert len([a for t, a in parsed.elements if t == "tr" and "data-t" in a]) == len(cues.cues)  # the table


def test_thumbnails_are_inlined_once_each_and_decode(page: str, thumbnails: dict[int, bytes]) -> None:
    found = dict(
        re.findall(r"\.f(\d+)\{background-image:url\(\"data:image/(?:jpeg|png);base64,([^\"]+)\"\)\}", page)
    )
    assert {int(k) for k in found} == set(thumbnails)
    for frame, data in found.items():
        raw = base64.b64decode(data, validate=True)
        assert raw == thumbnails[int(frame)]
        with av.open(io.BytesIO(raw)) as container:
            assert next(container.decode(video=0)).width == 32
    used = {
        c for _, a in _Parsed(page).elements for c in a.get("class", "").split() if re.fullmatch(r"f\d+", c)
    }
    assert used == {f"f{f}" for f in thumbnails}


def test_picture_strip_has_a_thumbnail_per_shot(page: str, analysis: Analysis) -> None:
    thumbs = _Parsed(page).with_class("thumb")
    assert [t["data-t"] for t in thumbs] == [f"{s.start_s:.6f}" for s in analysis.shots]
    assert all(re.search(r"\bf\d+\b", t["class"]) for t in thumbs)


def test_tempo_lanes_show_bars_segments_and_every_hit(page: str, tempo: TempoMap, analysis: Analysis) -> None:
    parsed = _Parsed(page)
    hits = parsed.with_class("hit", "snap")
    placed = [h for h in hits if "cue" not in h["class"]]
    assert [h["data-t"] for h in placed] == [f"{h.time_s:.6f}" for h in tempo.hits]
    for mark, hit in zip(placed, tempo.hits, strict=True):
        assert f"{hit.frames_off:+.2f} frames off" in mark["title"]
    first_bar = int(np.ceil(tempo.seconds_to_beats(0.0) / 4))
    last_bar = int(np.floor(tempo.seconds_to_beats(analysis.picture.duration_s) / 4))
    assert [b["data-bar"] for b in parsed.with_class("barno")] == [
        str(b + 1) for b in range(first_bar, last_bar + 1)
    ]
    assert "120.00 → 132.00 BPM (ramp)" in page and "132.00 BPM" in page


def test_music_stem_and_loudness_lanes(page: str, score: Score, stems: tuple[Stem, ...]) -> None:
    lanes = [a["data-lane"] for _, a in _Parsed(page).elements if "data-lane" in a]
    assert [lane for lane in lanes if lane.startswith("part-")] == [f"part-{p.name}" for p in score.parts]
    assert [lane for lane in lanes if lane.startswith("stem-")] == [f"stem-{s.name}" for s in stems]
    assert "loudness" in lanes and "I -14.0 LUFS (target -14) · TP -1.2 dBTP (ceiling -1)" in page
    assert len(_Parsed(page).with_class("section")) == len(score.sections)


def test_same_inputs_give_the_same_bytes(
    analysis, cues, tempo, score, stems, loudness, thumbnails, page
) -> None:
    again = report_html(
        analysis=analysis,
        cues=cues,
        tempo_map=tempo,
        score=score,
        loudness=loudness.to_dict(),
        stems=(*stems, "sfx_wind"),
        thumbnails=dict(reversed(list(thumbnails.items()))),
    )
    assert again == page


def test_after_analyze_alone_the_page_has_no_players(analysis: Analysis) -> None:
    page = report_html(analysis=analysis, video=None)
    parsed = _Parsed(page)
    assert parsed.errors == []
    assert not [t for t, _ in parsed.elements if t in ("video", "audio")]
    assert len(parsed.with_class("cut", "snap")) == len(analysis.cuts)
    assert not parsed.with_class("cue") and not parsed.with_class("thumb")


def test_hostile_text_is_escaped(analysis: Analysis) -> None:
    evil = '"><script>alert(1)</script>'
    sheet = CueSheet(
        1.0, 48000, Fraction(24), "p", ("boom",), (Cue(0.5, CueKind.HIT, "cut", "boom", 1.0, 0.1, evil),)
    )
    page = report_html(analysis=analysis, cues=sheet, title=evil, stems=("a b&c",))
    parsed = _Parsed(page)
    assert parsed.errors == []
    assert [t for t, _ in parsed.elements].count("script") == 2  # the page data and the page code
    assert "<script>alert" not in page
    assert 'src="stems/a%20b%26c.wav"' in page


def test_thumbnail_frames_are_clean_frames_either_side_of_each_cut(analysis: Analysis) -> None:
    frames = set(thumbnail_frames(analysis))
    blended = {f for c in analysis.cuts if c.is_gradual for f in range(c.start_frame, c.end_frame + 1)}
    assert not frames & blended
    for cut in analysis.cuts:
        assert cut.start_frame - 1 in frames
        assert (cut.end_frame + 1 if cut.is_gradual else cut.frame) in frames
    for shot in analysis.shots:
        inside = [f for f in frames if shot.start_frame <= f < shot.end_frame]
        assert inside, shot


def test_loudness_input_is_checked() -> None:
    with pytest.raises(ParameterError, match="integrated_lufs"):
        LoudnessCurve.from_dict({"curve": [[0, -20]]})
    with pytest.raises(ParameterError, match="non-decreasing"):
        LoudnessCurve([(1.0, -20.0), (0.5, -20.0)], -20.0, -3.0)
    with pytest.raises(ParameterError, match="-inf"):
        LoudnessCurve([(0.0, np.nan)], -20.0, -3.0)


def test_thumbnails_must_be_pictures(analysis: Analysis) -> None:
    with pytest.raises(ParameterError, match="frame 0 must be JPEG or PNG"):
        report_html(analysis=analysis, thumbnails={0: b"GIF89a..."})
    # Pictures of frames the page does not show are left out.
    page = report_html(analysis=analysis, thumbnails={3: b"GIF89a...", 0: bytes([0xFF, 0xD8, 0xFF, 0])})
    assert ".f0{" in page and ".f3{" not in page


def test_a_ten_minute_cut_makes_a_page_of_a_few_megabytes() -> None:
    rng = np.random.default_rng(1)
    lengths = rng.integers(24, 72, size=300)  # 300 shots, about 10 minutes at 24 fps
    shots = tuple(Shot(int(n), seed=i, pan_px_per_frame=(2.0, 0.0)) for i, n in enumerate(lengths))
    truth = edit_truth(Edit(shots, (Transition(),) * (len(shots) - 1), frame_rate=Fraction(24)))
    analysis = truth_analysis(truth)
    duration_s = analysis.picture.duration_s
    assert duration_s > 500
    layers = ("whoosh", "impact", "clash", "drums")
    cue_list = tuple(
        Cue(c.time_s, CueKind.HIT, "cut", layers[i % 4], 0.7, 0.5, "a reason a person reads, about this long")
        for i, c in enumerate(analysis.cuts)
        for _ in range(2)
    )
    sheet = CueSheet(duration_s, round(duration_s * 48000), Fraction(24), "battle", layers, cue_list)
    tempo = TempoMap.constant(128.0, frame_rate=Fraction(24)).with_hits(analysis.hits())
    frames = thumbnail_frames(analysis)
    jpeg = bytes([0xFF, 0xD8, 0xFF]) + bytes(3500)  # a 160x90 battle frame at qscale 5 is about this size
    plain = report_html(analysis=analysis, cues=sheet, tempo_map=tempo)
    full = report_html(analysis=analysis, cues=sheet, tempo_map=tempo, thumbnails=dict.fromkeys(frames, jpeg))
    assert len(frames) <= 2 * len(analysis.shots)
    assert len(plain.encode()) < 1_500_000
    assert len(full.encode()) < 4_500_000


def test_a_stem_lane_shows_its_peak_where_and_as_loud_as_it_is(analysis: Analysis) -> None:
    n = round(analysis.picture.duration_s * 48000)
    audio = np.zeros((2, n), dtype=np.float32)
    audio[1, 48000] = -0.5  # one sample at 1 s, -6 dBFS, on the right channel only
    page = report_html(analysis=analysis, stems=(Stem("sfx_hit", "effects", audio, 48000),))
    lane = next(a for _, a in _Parsed(page).elements if a.get("data-lane") == "stem-sfx_hit")
    assert lane
    polygon = re.search(r'<polygon class="wave effects" points="([^"]+)"', page).group(1)
    points = np.array([p.split(",") for p in polygon.split()], dtype=float)
    upper = points[: len(points) // 2]
    x_peak = upper[np.argmin(upper[:, 1]), 0]
    assert x_peak / 10000 * analysis.picture.duration_s == pytest.approx(
        1.0, abs=analysis.picture.duration_s / 1200
    )
    assert "peak -6.0 dBFS" in page


def test_a_picture_without_frames_still_makes_a_page() -> None:
    from sonics.core.model import Picture

    empty = Analysis(Picture("x.mp4", Fraction(25), 0, 16, 16, 0.0), np.zeros(0), (), (), None)
    assert thumbnail_frames(empty) == ()
    assert _Parsed(report_html(analysis=empty)).errors == []
