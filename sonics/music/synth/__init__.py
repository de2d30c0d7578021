"""The built-in synthesiser: each part of a score rendered to a 48 kHz stereo stem, no SoundFont needed.

:func:`render_part` renders one :class:`~sonics.core.score.Part` on a tempo map;
:func:`render_score` every part of a :class:`~sonics.core.score.Score` to its
``music_<part>`` :class:`~sonics.core.sound.Stem`. A part names its instrument from
:data:`INSTRUMENTS`: ``taiko`` and ``cymbals`` (the General MIDI drum map,
:mod:`~sonics.music.synth.drums`), ``low_strings`` and ``high_strings``
(:mod:`~sonics.music.synth.strings`), ``brass``, ``pad``, ``choir``, ``koto`` and ``pipa``
(:mod:`~sonics.music.synth.plucked`) and ``dizi`` (:mod:`~sonics.music.synth.winds`).
Rendering with a SoundFont instead is :func:`sonics.io.soundfont.render_soundfont`.
"""

from sonics.music.synth.registry import INSTRUMENTS, instrument_for
from sonics.music.synth.render import render_part, render_score

__all__ = ["INSTRUMENTS", "instrument_for", "render_part", "render_score"]
