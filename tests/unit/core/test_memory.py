"""steady_heap: a large block freed stays with the allocator for the next array, until released."""

from __future__ import annotations

import ctypes
import os
import platform
import sys

import numpy as np
import pytest

from sonics.core.memory import release_freed_memory, steady_heap

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


class _MallInfo2(ctypes.Structure):
    """glibc's malloc statistics (malloc.h), read independently of the module under test."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")
    ]  # fmt: skip


def test_it_says_whether_it_could_and_nests() -> None:
    with steady_heap() as outer, steady_heap() as inner:
        assert outer is inner is GLIBC


@pytest.mark.skipif(not GLIBC or not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc >= 2.33 only")
def test_a_large_freed_array_stays_for_reuse_until_released() -> None:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _MallInfo2
    with steady_heap():
        block = np.ones(3 << 20)  # 24 MB: by default glibc maps it apart and unmaps it when freed
        del block
        assert mallinfo2().fordblks >= 24 << 20  # free in the heap, ready for the next array
        resident = _resident_bytes()
        assert release_freed_memory()  # and given back to the kernel on request (before a fork)
        assert resident - _resident_bytes() >= 20 << 20


@pytest.mark.skipif(not GLIBC or not hasattr(ctypes.CDLL(None), "mallinfo2"), reason="glibc >= 2.33 only")
def test_leaving_the_block_hands_the_kept_memory_back() -> None:
    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = _MallInfo2
    with steady_heap():
        block = np.ones(3 << 20)
        del block
        resident = _resident_bytes()
    assert resident - _resident_bytes() >= 20 << 20


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
