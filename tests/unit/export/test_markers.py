import csv
import io
import re

from sonics.core.timebase import timecode_to_frame
from sonics.export.markers import audacity_labels, markers_csv, resolve_marker_edl

_EVENT = re.compile(r"^(\d{3})  001      V     C        (\S+) (\S+) (\S+) (\S+)  $")


def test_csv_rows_give_record_timecode_frame_and_kind(delivery, truth):
    rows = list(csv.DictReader(io.StringIO(markers_csv(delivery))))
    assert [int(r["frame"]) for r in rows] == list(truth.MARKER_FRAMES)
    assert [r["timecode"] for r in rows] == [
        "01:00:01:00",
        "01:00:01:06",
        "01:00:02:00",
        "01:00:02:12",
        "01:00:03:00",
    ]
    assert [r["kind"] for r in rows] == ["cut", "sync", "cut", "flash", "cut"]
    assert rows[2]["name"] == delivery.markers[2].name and rows[2]["comment"] == delivery.markers[2].comment


def test_resolve_edl_has_one_frame_events_with_colour_name_and_note(delivery, truth):
    text = resolve_marker_edl(delivery)
    lines = text.split("\r\n")
    assert lines[:2] == ["TITLE: battle cut", "FCM: NON-DROP FRAME"]
    events = [(i, _EVENT.match(line)) for i, line in enumerate(lines) if _EVENT.match(line)]
    assert len(events) == len(truth.MARKER_FRAMES)
    for (i, match), frame, marker in zip(events, truth.MARKER_FRAMES, delivery.markers, strict=True):
        src_in, src_out, rec_in, rec_out = match.groups()[1:]
        assert src_in == rec_in and src_out == rec_out
        assert timecode_to_frame(rec_in, truth.RATE) == 86400 + frame
        assert timecode_to_frame(rec_out, truth.RATE) == 86400 + frame + 1
        note, colour, name, duration = lines[i + 1].split(" |")
        assert note == marker.comment.replace("|", "/")
        assert colour.startswith("C:ResolveColor") and name == f"M:{marker.name}" and duration == "D:1"
    assert lines[events[0][0] + 1].split(" |")[1] == "C:ResolveColorRed"


def test_resolve_edl_drop_frame(truth):
    delivery = truth.ntsc_delivery("00:00:59;28", 2000, truth.make_delivery().markers)
    text = resolve_marker_edl(delivery)
    assert "FCM: DROP FRAME" in text
    assert "00:01:00;24 00:01:00;25" in text  # 59;28 + 24 frames: ;00 and ;01 do not exist


def test_audacity_labels_are_point_labels_in_seconds(delivery, truth):
    rows = [line.split("\t") for line in audacity_labels(delivery).splitlines()]
    assert [float(r[0]) for r in rows] == [round(truth.frame_s(f), 6) for f in truth.MARKER_FRAMES]
    assert all(r[0] == r[1] for r in rows)
    assert [r[2] for r in rows] == [m.name for m in delivery.markers]
