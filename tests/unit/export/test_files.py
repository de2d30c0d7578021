"""Staged files and folders: all appear or none; a file reserved here may be written by a forked process."""

from __future__ import annotations

import errno
import multiprocessing
import os

import pytest

import sonics.export.files as files
from sonics.core.errors import ExportError
from sonics.export.files import AtomicFiles, AtomicFolder


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


def _hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_folder_appears_whole_on_success(tmp_path):
    target = tmp_path / "out"
    with AtomicFolder(target) as staging:
        (staging / "stems").mkdir()
        (staging / "stems" / "a.wav").write_bytes(b"a")
        assert not target.exists()
        assert staging.parent == tmp_path
    assert (target / "stems" / "a.wav").read_bytes() == b"a"
    assert _hidden(tmp_path) == []


def test_an_error_leaves_nothing_and_the_old_folder_intact(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.json").write_bytes(b"old")
    with pytest.raises(RuntimeError), AtomicFolder(target, force=True) as staging:
        (staging / "new.json").write_bytes(b"new")
        raise RuntimeError("render failed")
    assert sorted(os.listdir(target)) == ["old.json"]
    assert _hidden(tmp_path) == []


def test_an_existing_folder_is_replaced_only_with_force(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.json").write_bytes(b"old")
    with pytest.raises(ExportError, match=r"out: already exists; use --force"):
        AtomicFolder(target)
    with AtomicFolder(target, force=True) as staging:
        (staging / "new.json").write_bytes(b"new")
    assert sorted(os.listdir(target)) == ["new.json"]
    assert _hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"x"), "is a file; give a folder"),
        (lambda p: None, "does not exist"),
    ],
)
def test_bad_targets_are_refused_before_any_work(tmp_path, make, message):
    target = tmp_path / "out"
    make(target)
    if message == "does not exist":
        target = tmp_path / "missing" / "out"
    with pytest.raises(ExportError, match=message):
        AtomicFolder(target, force=True)
