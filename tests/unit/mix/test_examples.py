"""The examples in the mix stage's docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = [
    "sonics.dsp.dynamics",
    "sonics.mix.buses",
    "sonics.mix.ducking",
    "sonics.mix.loudness",
    "sonics.mix.mixdown",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
