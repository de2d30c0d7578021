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

__all__ = ["write_bytes_atomic", "write_json", "write_text"]


def _describe(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return f"{path}: no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path}: cannot write here (permission denied)"
    if exc.errno == errno.ENOENT:
        return f"{path}: the folder does not exist"
    if exc.errno == errno.EISDIR:
        return f"{path}: is a folder"
    return f"{path}: cannot write ({exc.strerror or exc})".lower()


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; raise :class:`ExportError` on failure.

    Parameters
    ----------
    path : str or Path
        Target file; its folder must exist.
    data : bytes
        The whole content.

    Returns
    -------
    Path
        The written path.
    """
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise ExportError(_describe(target, exc)) from None
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], document: Mapping[str, Any]) -> Path:
    """Write a JSON document atomically, with stable formatting (same data, same bytes)."""
    return write_text(path, json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
