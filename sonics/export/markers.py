"""Marker lists for tools that read markers but no timeline: a CSV, a Resolve marker EDL, Audacity labels.

Every list holds the delivery's markers at their frames; timecodes are record timecodes
(the start timecode plus the frame), drop-frame at 29.97 and 59.94 when the start timecode
is written with ``;``.
"""

from __future__ import annotations

import csv
import io

from sonics.export.delivery import Delivery, MarkerKind

__all__ = ["audacity_labels", "markers_csv", "resolve_marker_edl"]

# Resolve's marker colours have no orange; sand is the nearest.
_RESOLVE_COLOURS = {
    MarkerKind.CUT: "Red",
    MarkerKind.SYNC: "Green",
    MarkerKind.IMPACT: "Sand",
    MarkerKind.FLASH: "Yellow",
    MarkerKind.CUE: "Cyan",
}


def markers_csv(delivery: Delivery) -> str:
    """Return the markers as CSV text, one row per marker in frame order.

    Columns: ``n`` (1-based), ``timecode`` (record timecode), ``frame`` (from the picture's
    first frame), ``time_s``, ``kind``, ``colour``, ``name``, ``comment``.

    Examples
    --------
    >>> print(markers_csv(delivery))  # doctest: +SKIP
    n,timecode,frame,time_s,kind,colour,name,comment
    1,01:00:00:18,18,0.750750,cut,RED,cut 1 · sync,hard cut
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["n", "timecode", "frame", "time_s", "kind", "colour", "name", "comment"])
    for i, marker in enumerate(delivery.markers, start=1):
        writer.writerow(
            [
                i,
                delivery.timecode(marker.frame),
                marker.frame,
                f"{marker.time_s:.6f}",
                str(marker.kind),
                marker.kind.colour,
                marker.name,
                marker.comment,
            ]
        )
    return out.getvalue()


def resolve_marker_edl(delivery: Delivery) -> str:
    """Return the markers as the EDL DaVinci Resolve writes and reads for timeline markers.

    One one-frame event per marker (source and record in/out at its record timecode),
    followed by its comment and ``|C:ResolveColor<colour> |M:<name> |D:1``; import it in
    Resolve with *Timelines > Import > Timeline Markers from EDL*.

    Returns
    -------
    str
        CMX 3600 text, lines ending in CRLF as editors expect.
    """
    fcm = "DROP FRAME" if delivery.drop_frame else "NON-DROP FRAME"
    lines = [f"TITLE: {delivery.name}", f"FCM: {fcm}", ""]
    for i, marker in enumerate(delivery.markers, start=1):
        start = delivery.timecode(marker.frame)
        end = delivery.timecode(marker.frame + 1)
        lines.append(f"{i:03d}  001      V     C        {start} {end} {start} {end}  ")
        note = " ".join(marker.comment.replace("|", "/").splitlines())
        name = marker.name.replace("|", "/")
        lines.append(f"{note} |C:ResolveColor{_RESOLVE_COLOURS[marker.kind]} |M:{name} |D:1")
        lines.append("")
    return "\r\n".join(lines)


def audacity_labels(delivery: Delivery) -> str:
    """Return the markers as an Audacity label track: ``start<TAB>end<TAB>label`` in seconds, point labels."""
    return "".join(f"{m.time_s:.6f}\t{m.time_s:.6f}\t{m.name}\n" for m in delivery.markers)
