"""Generators of test media with exact known truth (synthetic edits, and their sound)."""

from sonics.testing.video import (
    BLUR_MIN_PX_PER_FRAME,
    Edit,
    EditTruth,
    Flash,
    Rider,
    Shot,
    Transition,
    battle_edit,
    edit_truth,
    render_edit,
    render_frames,
    simple_edit,
)

__all__ = [
    "BLUR_MIN_PX_PER_FRAME",
    "Edit",
    "EditTruth",
    "Flash",
    "Rider",
    "Shot",
    "Transition",
    "battle_edit",
    "edit_truth",
    "render_edit",
    "render_frames",
    "simple_edit",
]
