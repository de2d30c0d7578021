"""Layer 3: spotting: an ``Analysis`` and a preset become weighted hits and a cue sheet."""

from sonics.spotting.cues import picture_length, spot
from sonics.spotting.events import Event, EventKind, find_events

__all__ = ["Event", "EventKind", "find_events", "picture_length", "spot"]
