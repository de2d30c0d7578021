"""Choosing variations: round robin over a shuffled pool, never the same one twice in a row.

Game-audio engines call this "shuffle" or "random without repeats" (Unity's Random
Container, Godot's ``PLAYBACK_RANDOM_NO_REPEATS``): each item plays once per round in
a random order, and a new round never starts with the item that ended the last one.
The picker returns indices, so a plan records exactly what was chosen.
"""

from __future__ import annotations

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["RoundRobin"]


class RoundRobin:
    """Pick among ``n_items`` in shuffled rounds, never the same item twice in a row.

    Every round of ``n_items`` picks is a permutation of ``range(n_items)``; when
    ``n_items > 1`` a round never starts with the item the previous round ended on.
    All randomness comes from ``rng``, so the same generator state gives the same picks.

    Parameters
    ----------
    n_items : int >= 1
        How many items there are to choose from.
    rng : numpy.random.Generator
        The source of randomness (a stage's generator, see :mod:`sonics.core.rng`).

    Raises
    ------
    ParameterError
        If ``n_items < 1`` or ``rng`` is not a :class:`numpy.random.Generator`.

    Examples
    --------
    >>> picker = RoundRobin(3, np.random.default_rng(7))
    >>> picks = [picker.pick() for _ in range(6)]
    >>> sorted(picks[:3]), sorted(picks[3:]), all(a != b for a, b in zip(picks, picks[1:]))
    ([0, 1, 2], [0, 1, 2], True)
    """

    __slots__ = ("_last", "_n_items", "_pool", "_rng")

    def __init__(self, n_items: int, rng: np.random.Generator) -> None:
        if isinstance(n_items, bool) or not isinstance(n_items, (int, np.integer)) or n_items < 1:
            raise ParameterError(f"n_items must be an integer >= 1, got {n_items!r}")
        if not isinstance(rng, np.random.Generator):
            raise ParameterError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self._n_items = int(n_items)
        self._rng = rng
        self._pool: list[int] = []  # the rest of the current round, next pick last
        self._last: int | None = None

    @property
    def n_items(self) -> int:
        """How many items the picker chooses from."""
        return self._n_items

    def pick(self) -> int:
        """Return the index of the next item, in ``[0, n_items)``.

        Draws from ``rng`` only when a new round starts (one permutation, and one more
        integer when the round would begin with the previous pick).
        """
        if self._n_items == 1:
            self._last = 0
            return 0
        if not self._pool:
            order = [int(i) for i in self._rng.permutation(self._n_items)]
            if order[0] == self._last:
                # Swap the repeat with a random later place of the round.
                swap = int(self._rng.integers(1, self._n_items))
                order[0], order[swap] = order[swap], order[0]
            self._pool = order[::-1]
        self._last = self._pool.pop()
        return self._last

    def __repr__(self) -> str:
        return f"RoundRobin(n_items={self._n_items}, left_in_round={len(self._pool)})"
