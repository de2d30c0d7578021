"""Staged files: all appear or none; a file reserved here may be written by a forked process."""

from __future__ import annotations

import errno
import multiprocessing
import os

import pytest

import sonics.export.files as files
from sonics.core.errors import ExportError
from sonics.export.files import AtomicFiles


def _listing(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_files_appear_together_when_the_block_ends(tmp_path):
    with AtomicFiles() as staged:
        staged.add(tmp_path / "a.json", b"{}")
        staged.add(tmp_path / "b.bin", [b"ab", b"cd"])
        assert not (tmp_path / "a.json").exists()
    assert (tmp_path / "a.json").read_bytes() == b"{}" and (tmp_path / "b.bin").read_bytes() == b"abcd"
    assert staged.written == [tmp_path / "a.json", tmp_path / "b.bin"]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_reserved_file_can_be_written_by_a_forked_process(tmp_path):
    with AtomicFiles() as staged:
        temp = staged.reserve(tmp_path / "stem.wav")
        child = multiprocessing.get_context("fork").Process(
            target=staged.fill, args=(temp, [b"RIFF", b"data"])
        )
        child.start()
        child.join()
        assert child.exitcode == 0
        staged.flush(temp)
    assert (tmp_path / "stem.wav").read_bytes() == b"RIFFdata"
    assert _listing(tmp_path) == ["stem.wav"]


def test_a_reserved_file_never_written_fails_the_block_and_leaves_nothing(tmp_path):
    with pytest.raises(ExportError, match="never written"), AtomicFiles() as staged:
        staged.add(tmp_path / "a.json", b"{}")
        staged.reserve(tmp_path / "stem.wav")
    assert _listing(tmp_path) == []


def test_a_failed_flush_names_the_file_and_leaves_the_old_one(tmp_path, monkeypatch):
    (tmp_path / "a.json").write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(ExportError, match=r"a\.json: no space left"), AtomicFiles() as staged:
        staged.add(tmp_path / "a.json", b"new")
    assert _listing(tmp_path) == ["a.json"] and (tmp_path / "a.json").read_bytes() == b"old"


def test_the_same_target_twice_is_refused(tmp_path):
    with pytest.raises(ExportError, match="the same file"), AtomicFiles() as staged:
        staged.add(tmp_path / "a.json", b"{}")
        staged.reserve(tmp_path / "a.json")
    assert _listing(tmp_path) == []
