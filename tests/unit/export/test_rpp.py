from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sonics.core.tempo import TempoMap, TempoSegment
from sonics.export.delivery import Delivery, DeliveryMarker, MarkerKind
from sonics.export.rpp import rpp_bytes


def _tokens(line: str) -> list[str]:
    """Split one RPP line: bare words, or strings quoted with ", ' or ` (REAPER's rule)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == " ":
            i += 1
        elif line[i] in "\"'`":
            end = line.index(line[i], i + 1)
            out.append(line[i + 1 : end])
            i = end + 1
        else:
            end = line.find(" ", i)
            end = len(line) if end < 0 else end
            out.append(line[i:end])
            i = end
    return out


@dataclass
class Node:
    name: str
    args: list[str]
    lines: list[list[str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def values(self, key: str) -> list[list[str]]:
        return [line[1:] for line in self.lines if line[0] == key]

    def value(self, key: str) -> list[str]:
        (found,) = self.values(key)
        return found

    def blocks(self, name: str) -> list[Node]:
        return [c for c in self.children if c.name == name]


def _parse(text: str) -> Node:
    stack: list[Node] = []
    root = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("<"):
            tokens = _tokens(line[1:])
            node = Node(tokens[0], tokens[1:])
            if stack:
                stack[-1].children.append(node)
            else:
                assert root is None, "a second top-level block"
                root = node
            stack.append(node)
        elif line == ">":
            stack.pop()
        elif line.startswith("|"):
            stack[-1].lines.append(["|", line[1:]])
        else:
            stack[-1].lines.append(_tokens(line))
    assert not stack, "unclosed blocks"
    return root


def test_brackets_balance_and_the_project_runs_at_48k_from_the_start_timecode(delivery):
    text = rpp_bytes(delivery).decode("utf-8")
    assert text.count("\n<") == 0 and text.startswith("<REAPER_PROJECT 0.1 ")
    opened = sum(line.strip().startswith("<") for line in text.splitlines())
    closed = sum(line.strip() == ">" for line in text.splitlines())
    assert opened == closed
    project = _parse(text)
    assert project.name == "REAPER_PROJECT" and project.args[-1] == "0"
    assert project.value("SAMPLERATE")[0] == "48000"
    assert float(project.value("PROJOFFS")[0]) == pytest.approx(3603.6, abs=1e-9)
    assert project.value("TIMEMODE")[3:5] == ["24", "2"]  # 24 fps base, NTSC non-drop


def test_every_stem_is_an_item_in_its_folder(delivery, truth):
    project = _parse(rpp_bytes(delivery).decode("utf-8"))
    tracks = project.blocks("TRACK")
    names = [t.value("NAME")[0] for t in tracks]
    assert names == [
        "Picture",
        "Dialogue",
        "dialogue",
        "Music",
        "music_drums",
        "music_strings",
        "Effects",
        "sfx_whoosh",
        "mix",
    ]
    folders = [" ".join(t.value("ISBUS")) for t in tracks]
    assert folders == ["0 0", "1 1", "2 -1", "1 1", "0 0", "2 -1", "1 1", "2 -1", "0 0"]
    assert [t.value("MUTESOLO")[0] for t in tracks] == ["0"] * 8 + ["1"]  # the full mix is a muted reference
    by_name = {t.value("NAME")[0]: t for t in tracks}
    picture_s = truth.N_FRAMES * 1001 / 24000
    for stem in delivery.stems:
        (item,) = by_name[stem.name].blocks("ITEM")
        assert float(item.value("POSITION")[0]) == 0
        assert float(item.value("LENGTH")[0]) == pytest.approx(picture_s, abs=1e-9)
        (source,) = item.blocks("SOURCE")
        assert source.args == ["WAVE"]
        assert source.value("FILE") == [stem.path]  # relative, a path with a space in one token
    (video_item,) = by_name["Picture"].blocks("ITEM")
    (video,) = video_item.blocks("SOURCE")
    assert video.args == ["VIDEO"] and video.value("FILE") == [truth.VIDEO]
    assert video.value("AUDIO") == ["0"]
    assert float(video_item.value("LENGTH")[0]) == pytest.approx(picture_s, abs=1e-9)
    assert 'FILE "stems/sfx whoosh.wav"' in rpp_bytes(delivery).decode()


def test_markers_at_the_hits_coloured_by_kind(delivery, truth):
    project = _parse(rpp_bytes(delivery).decode("utf-8"))
    markers = project.values("MARKER")
    assert [int(m[0]) for m in markers] == list(range(1, 6))
    assert [float(m[1]) for m in markers] == pytest.approx([truth.frame_s(f) for f in truth.MARKER_FRAMES])
    assert [m[2] for m in markers] == [m.name for m in delivery.markers]
    assert all(m[3] == "0" for m in markers)  # markers, not regions
    colours = {int(m[4]) for m in markers}
    assert all(c & 0x1000000 for c in colours) and len(colours) == 3  # cut, sync, flash


def test_names_with_quotes_are_quoted_another_way(truth):
    delivery = truth.make_delivery()
    marker = DeliveryMarker(3, truth.frame_s(3), 'the "big" hit', MarkerKind.IMPACT)
    delivery = Delivery(delivery.picture, delivery.stems, (marker,))
    text = rpp_bytes(delivery).decode()
    assert "MARKER 1 0.125125 'the \"big\" hit' 0 " in text
    assert _parse(text).values("MARKER")[0][2] == 'the "big" hit'


def test_tempo_map_is_the_project_tempo(truth):
    ramp = TempoMap(
        (TempoSegment(0.0, 0.0, 120.0, ramp_to_bpm=140.0), TempoSegment(2.0, 4.333333333333333, 100.0)),
        numerator=3,
        denominator=4,
        frame_rate=truth.RATE,
    )
    project = _parse(rpp_bytes(truth.make_delivery(tempo_map=ramp)).decode())
    assert project.value("TEMPO") == ["120", "3", "4"]
    (envelope,) = project.blocks("TEMPOENVEX")
    points = envelope.values("PT")
    # 120 ramping (shape 0) to 140 at 2 s, then a jump to 100 held (shape 1); 3/4 packed on the first
    assert points == [["0", "120", "0", str(4 * 65536 + 3)], ["2", "140", "1"], ["2", "100", "1"]]
    no_map = _parse(rpp_bytes(truth.make_delivery(tempo_map=None)).decode())
    assert no_map.value("TEMPO") == ["120", "4", "4"] and not no_map.blocks("TEMPOENVEX")


def test_drop_frame_and_determinism(truth):
    delivery = truth.ntsc_delivery("01:00:00;00")
    data = rpp_bytes(delivery)
    assert data == rpp_bytes(delivery)
    project = _parse(data.decode())
    assert project.value("TIMEMODE")[3:5] == ["30", "1"]
    assert float(project.value("PROJOFFS")[0]) == pytest.approx(107892 * 1001 / 30000, abs=1e-9)
