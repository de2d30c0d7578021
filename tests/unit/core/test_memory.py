"""keep_freed_memory: a large block freed stays with the allocator for the next array, until released."""

from __future__ import annotations

import ctypes
import os
import platform
import sys

import numpy as np
import pytest

from sonics.core.memory import keep_freed_memory, release_freed_memory

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


class _MallInfo2(ctypes.Structure):
    """glibc's malloc statistics (malloc.h), read independently of the module under test."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")
    ]  # fmt: skip


def test_it_says_whether_it_could_and_asks_once() -> None:
    first = keep_freed_memory()
    assert first is keep_freed_memory()
    assert first is GLIBC


@pytest.mark.skipif(not GLIBC or not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc >= 2.33 only")
def test_a_large_freed_array_stays_for_reuse() -> None:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _MallInfo2
    keep_freed_memory()
    block = np.ones(8 << 20)  # 64 MB: by default glibc maps it apart and unmaps it when freed
    del block
    assert mallinfo2().fordblks >= 64 << 20  # free in the heap, ready for the next array
    resident = _resident_bytes()
    assert release_freed_memory()  # and given back to the kernel on request (before a fork)
    assert resident - _resident_bytes() >= 60 << 20


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
