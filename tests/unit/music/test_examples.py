"""The examples in the music stage's docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = [
    "sonics.core.score",
    "sonics.music",
    "sonics.music.arrange",
    "sonics.music.beat_dp",
    "sonics.music.form",
    "sonics.music.harmony",
    "sonics.music.scales",
    "sonics.music.writing",
    "sonics.export.midi",
    "sonics.presets.schema",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
