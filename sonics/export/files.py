"""Write files so that a failed or interrupted run never leaves half a file behind.

Every writer renders its whole content first, writes it to a temporary file in the
target folder, and moves it into place with one atomic rename.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sonics.core.errors import ExportError

__all__ = ["json_bytes", "write_bytes_atomic", "write_files_atomic", "write_json", "write_text"]


def _describe(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return f"{path}: no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path}: cannot write here (permission denied)"
    if exc.errno == errno.ENOENT:
        return f"{path}: the folder does not exist"
    if exc.errno == errno.EISDIR:
        return f"{path}: is a folder"
    return f"{path}: cannot write ({str(exc.strerror or exc).lower()})"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_files_atomic(files: Mapping[str | os.PathLike[str], bytes]) -> list[Path]:
    """Write several files so that either all of them appear or none does.

    Every file is first written in full to a temporary file beside its target; only
    when all are written are they moved into place. On failure the temporary files are
    removed and the targets are left as they were.

    Parameters
    ----------
    files : mapping of path to bytes
        Each target (its folder must exist) and its whole content.

    Returns
    -------
    list of Path
        The written paths.

    Raises
    ------
    ExportError
        If a target is a folder, two targets are the same file, or a write fails.
    """
    targets = [Path(p) for p in files]
    if len({t.resolve() for t in targets}) != len(targets):
        raise ExportError(f"{targets[0]}: the same file is given for two outputs")
    for target in targets:
        if target.is_dir():
            raise ExportError(f"{target}: is a folder; give a file name")
    mode = 0o666 & ~_umask()
    written: list[tuple[str, Path]] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            except OSError as exc:
                raise ExportError(_describe(target, exc)) from None
            written.append((tmp_name, target))
            try:
                with os.fdopen(fd, "wb") as handle:
                    os.fchmod(handle.fileno(), mode)
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise ExportError(_describe(target, exc)) from None
        for tmp_name, target in written:
            try:
                os.replace(tmp_name, target)
            except OSError as exc:
                raise ExportError(_describe(target, exc)) from None
        written.clear()
    finally:
        for tmp_name, _ in written:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    return targets


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`write_files_atomic`)."""
    return write_files_atomic({path: data})[0]


def json_bytes(document: Mapping[str, Any]) -> bytes:
    """Return a JSON document as UTF-8 bytes, with stable formatting (same data, same bytes)."""
    return (json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`write_files_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], document: Mapping[str, Any]) -> Path:
    """Write a JSON document atomically (see :func:`json_bytes`)."""
    return write_bytes_atomic(path, json_bytes(document))
