"""Keep the memory numpy frees for its next arrays while rendering, instead of giving it back at once.

Rendering makes and drops large temporary arrays by the thousand (a stroke's layers, a
filter's output, a note's gains), each a few megabytes. By default glibc hands such freed
blocks straight back to the kernel (or maps each afresh), and the next array of that size
faults every page in again, zero-filled: a tenth of a render's CPU time, spent in the
kernel. Inside :func:`steady_heap` the allocator keeps them (up to a bound) and serves the
next arrays from them; :func:`release_freed_memory` gives them back (before a fork, where
reusing them would cost a copy of each page). They change where arrays live, never what
they hold. Elsewhere than glibc (macOS, Windows, musl) they do nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

__all__ = ["release_freed_memory", "steady_heap"]

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters (malloc.h)
_HEAP_KEPT = {_M_TRIM_THRESHOLD: 512 << 20, _M_TOP_PAD: 64 << 20, _M_MMAP_THRESHOLD: 32 << 20}
"""Inside: up to 512 MB of free heap kept; blocks up to 32 MB from the heap (a long stem maps its own)."""
_HEAP_DEFAULT = {_M_TRIM_THRESHOLD: 128 << 10, _M_TOP_PAD: 128 << 10}
"""After: glibc's own trim settings (the mmap threshold it would have raised itself stays)."""

_depth = [0]
_lock = threading.Lock()


@cache
def _glibc() -> Any:
    """Return the C library this process runs on if it is glibc, else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):  # musl
        return None
    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return libc


@contextlib.contextmanager
def steady_heap() -> Iterator[bool]:
    """Keep freed memory in the heap inside the block, for this process and the helpers it forks.

    Nested blocks are one: the settings are made on entering the outermost and undone on
    leaving it, when this process trims its heap and hands back what it holds free.

    Yields
    ------
    bool
        Whether the allocator could be told (glibc).

    Examples
    --------
    >>> with steady_heap() as kept:
    ...     kept in (True, False)
    True
    """
    libc = _glibc()
    if libc is None:
        yield False
        return
    with _lock:
        _depth[0] += 1
        if _depth[0] == 1:
            for option, value in _HEAP_KEPT.items():
                libc.mallopt(option, value)
    try:
        yield True
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                for option, value in _HEAP_DEFAULT.items():
                    libc.mallopt(option, value)
                libc.malloc_trim(0)


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
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
