"""Keep the memory numpy frees for its next arrays, instead of giving it back to the system at once.

Rendering makes and drops large temporary arrays by the hundred (a stroke's layers, a
filter's output, a note's gains), each a few megabytes. By default glibc hands large freed
blocks straight back to the kernel, and the next array of that size faults every page in
again, zero-filled: on a 60 s score that is a tenth of the render's CPU time, spent in the
kernel. :func:`keep_freed_memory` tells glibc's allocator to keep such blocks (up to a
bound) and serve the next arrays from them; :func:`release_freed_memory` gives them back
(before a fork, where reusing them would cost a copy of each page). They change where
arrays live, never what they hold. Elsewhere than glibc (macOS, Windows, musl) they do
nothing.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

__all__ = ["keep_freed_memory", "release_freed_memory"]

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_FROM_BYTES = 256 << 20  # blocks larger than this still come from (and go back to) the kernel
_TRIM_FROM_BYTES = 512 << 20  # free memory kept at the top of the heap before any is given back


@cache
def keep_freed_memory() -> bool:
    """Have glibc keep freed blocks up to a few hundred MB for reuse; return whether it could.

    Idempotent and process-wide (forked helpers inherit it). The memory a render peaked
    at stays with the process until it exits, bounded by ``_TRIM_FROM_BYTES`` of free heap.

    Examples
    --------
    >>> keep_freed_memory() in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_FROM_BYTES)
    )


def release_freed_memory() -> bool:
    """Give the free memory glibc keeps back to the kernel now; return whether it could.

    Call it before forking helpers: pages a forked process shares with its parent are
    copied by whichever writes them first, so reusing kept memory after a fork costs
    both processes a copy of every page; fresh pages cost only their zeroing.

    Examples
    --------
    >>> release_freed_memory() in (True, False)
    True
    """
    if not keep_freed_memory():  # not glibc: nothing kept
        return False
    ctypes.CDLL(None).malloc_trim(0)
    return True
