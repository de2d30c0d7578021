"""Every script in examples/ runs and says what it promises."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(script):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, timeout=120, check=False
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
