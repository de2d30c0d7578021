"""Every script in examples/ runs and says what it promises."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


TAKE_A_VIDEO = {"sfx_pass.py", "score_a_cut_list.py"}
"""Scripts that take a video: they run on the small shared edit (the demo is analysed once, below)."""


@pytest.mark.parametrize(
    "script", sorted(p.name for p in EXAMPLES.glob("*.py") if p.name != "analyze_a_cut.py")
)
def test_example_runs(script, edit_video):
    args = [str(edit_video.path)] if script in TAKE_A_VIDEO else []
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_analyze_example_lists_the_demo_cuts():
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "analyze_a_cut.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "00:00:03:00  hard" in done.stdout  # the first hard cut of the demo, frame 72 at 24 fps
    assert "dissolve (frames 276-287)" in done.stdout
