import os

import pytest

from sonics.core.errors import ExportError
from sonics.export.files import AtomicFolder


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
