"""The built-in synthesiser: each part of a score rendered to a 48 kHz stereo stem, no SoundFont needed."""

from sonics.music.synth.registry import INSTRUMENTS, instrument_for
from sonics.music.synth.render import render_part, render_score

__all__ = ["INSTRUMENTS", "instrument_for", "render_part", "render_score"]
