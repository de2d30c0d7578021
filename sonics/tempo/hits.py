"""The hits the tempo stage reads: Hit objects, bare times or (time, weight) pairs, checked once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.model import Hit

__all__ = ["as_hits"]


def as_hits(items: Iterable[Any]) -> tuple[Hit, ...]:
    """Return the hits as :class:`Hit` objects sorted by time (then source).

    Parameters
    ----------
    items : iterable of Hit, of float or of (time_s, weight)
        Times in seconds from the first frame; a bare time weighs 1 and has no source.

    Returns
    -------
    tuple of Hit

    Raises
    ------
    ParameterError
        If an item is not a hit, or a time or weight is not finite, or a weight is below 0.

    Examples
    --------
    >>> as_hits([2.0, (1.0, 0.5)])
    (Hit(time_s=1.0, weight=0.5, source=''), Hit(time_s=2.0, weight=1.0, source=''))
    """
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise ParameterError(f"hits must be an iterable of hits, got {type(items).__name__}")
    found: list[Hit] = []
    for item in items:
        try:
            if isinstance(item, Hit):
                hit = Hit(float(item.time_s), float(item.weight), str(item.source))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                hit = Hit(float(item[0]), float(item[1]), "")
            else:
                hit = Hit(float(item), 1.0, "")
        except (TypeError, ValueError):
            raise ParameterError(
                f"a hit must be a Hit, a time in seconds or (time_s, weight), got {item!r}"
            ) from None
        if not np.isfinite(hit.time_s):
            raise ParameterError(f"hit times must be finite numbers of seconds, got {hit.time_s}")
        if not (np.isfinite(hit.weight) and hit.weight >= 0):
            raise ParameterError(f"hit weights must be finite and >= 0, got {hit.weight}")
        found.append(hit)
    return tuple(sorted(found, key=lambda h: (h.time_s, h.source)))
