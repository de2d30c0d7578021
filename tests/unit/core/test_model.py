import json
from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import (
    Analysis,
    AudioRegion,
    Cut,
    CutKind,
    Flash,
    Impact,
    MotionEnvelope,
    Picture,
    Shot,
    ShotIntensity,
)

RATE = Fraction(30000, 1001)


def _analysis(variable: bool = False) -> Analysis:
    n = 120
    times = np.arange(n) / float(RATE)
    if variable:
        times = np.cumsum(np.r_[0.0, np.where(np.arange(n - 1) % 2, 1 / 20, 1 / 30)])
    picture = Picture("cut.mp4", RATE, n, 960, 540, float(times[-1] + 1 / 30), True, variable)
    cuts = (
        Cut(40, float(times[40]), CutKind.HARD, 0.83),
        Cut(80, float(times[80]), CutKind.DISSOLVE, 1.0, 74, 86),
    )
    shots = (
        Shot(0, 0, 40, 0.0, float(times[40]), 0.2, 30.0, ShotIntensity.CALM),
        Shot(1, 40, 80, float(times[40]), float(times[80]), 0.7, 30.0, ShotIntensity.BATTLE),
        Shot(2, 80, n, float(times[80]), picture.duration_s, 0.4, 30.0, ShotIntensity.TENSION),
    )
    values = np.linspace(0, 1, n)
    return Analysis(
        picture=picture,
        frame_times_s=times,
        cuts=cuts,
        shots=shots,
        motion=MotionEnvelope(values, values * 0.5, values * 0.25),
        impacts=(Impact(60, float(times[60]), 0.9),),
        flashes=(Flash(20, float(times[20]), 2, 0.7),),
        audio_regions=(AudioRegion(0.5, 1.5, "speech", -31.0),),
    )


@pytest.mark.parametrize("variable", [False, True], ids=["cfr", "vfr"])
def test_analysis_json_round_trip(variable):
    original = _analysis(variable)
    text = json.dumps(original.to_dict())
    again = Analysis.from_dict(json.loads(text))
    assert again.to_dict() == original.to_dict()
    assert again.picture.frame_rate == RATE
    np.testing.assert_allclose(again.frame_times_s, original.frame_times_s, atol=1e-6)


def test_analysis_document_shape():
    doc = _analysis().to_dict()
    assert doc["schema"] == "sonics.analysis/1"
    assert doc["picture"]["fps"] == "30000/1001"
    assert doc["cuts"][0] == {
        "frame": 40,
        "time_s": pytest.approx(40 * 1001 / 30000),
        "timecode": "00:00:01;10",
        "kind": "hard",
        "score": 0.83,
        "start_frame": 40,
        "end_frame": 40,
    }
    assert doc["cuts"][1]["kind"] == "dissolve"
    assert (doc["cuts"][1]["start_frame"], doc["cuts"][1]["end_frame"]) == (74, 86)


def test_foreign_or_newer_documents_are_refused():
    doc = _analysis().to_dict()
    with pytest.raises(MediaError, match=r"expected a sonics\.analysis"):
        Analysis.from_dict({**doc, "schema": "sonics.cues/1"})
    with pytest.raises(MediaError, match="newer"):
        Analysis.from_dict({**doc, "schema": "sonics.analysis/99"})
    with pytest.raises(MediaError, match="no 'schema'"):
        Analysis.from_dict({"cuts": []})
    with pytest.raises(MediaError, match="malformed"):
        Analysis.from_dict({"schema": "sonics.analysis/1", "picture": {}})


def test_arrays_are_read_only():
    analysis = _analysis()
    with pytest.raises(ValueError, match="read-only"):
        analysis.motion.values[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        analysis.frame_times_s[0] = 1.0


def test_cut_frame_must_lie_in_its_transition():
    with pytest.raises(ParameterError, match="transition"):
        Cut(10, 0.4, CutKind.DISSOLVE, 1.0, 12, 20)


def test_hits_are_sorted_and_weighted():
    hits = _analysis().hits()
    assert [h.source for h in hits] == ["flash:20", "cut:40", "impact:60", "cut:80"]
    assert [h.weight for h in hits] == [pytest.approx(0.35), 1.0, pytest.approx(0.9), 0.5]
