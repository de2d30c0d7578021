"""Write files so that a failed or interrupted run never leaves half a file behind.

Every writer renders a file's whole content first, writes it to a temporary file in the
target folder, and moves it into place with an atomic rename once every output of the
run is written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sonics.core.errors import ExportError

__all__ = [
    "AtomicFiles",
    "AtomicFolder",
    "check_output_folder",
    "json_bytes",
    "remove_stale_staging",
    "temporary_beside",
    "write_bytes_atomic",
    "write_files_atomic",
    "write_json",
    "write_pieces",
    "write_text",
]


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


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_beside(path: str | os.PathLike[str]) -> Path:
    """Create an empty temporary file beside ``path``, readable as the umask allows, and return its path.

    For writers that need a real, seekable file (a video muxer): write it, then move it onto
    ``path`` with :func:`os.replace`, or remove it on failure.

    Raises
    ------
    ExportError
        If the folder does not exist or cannot be written.
    """
    target = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ExportError(_describe(target, exc)) from None
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return Path(tmp_name)


class AtomicFiles:
    """Stage files one by one, then move them all into place at once, or none.

    Use it as a context manager: :meth:`add` writes each file in full to a temporary
    file beside its target as soon as it is given (so a long run need not hold every
    output in memory); leaving the block without an error moves them all into place,
    and an error removes the temporary files and leaves the targets as they were.
    Each file is flushed to the disk (``fsync``) on a background thread while the next
    is made, and every flush is done before the first file is moved into place. A file
    can also be reserved first and written later, by a forked worker process
    (:meth:`reserve`, :meth:`fill`, :meth:`flush`).

    Examples
    --------
    >>> with AtomicFiles() as staged:  # doctest: +SKIP
    ...     staged.add("out/a.json", b"{}")
    ...     staged.add("out/b.wav", wav)
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []
        self._reserved: set[str] = set()  # temporary files given out but not yet flushed
        self._syncs: list[tuple[Path, Future[None]]] = []
        self._syncer: ThreadPoolExecutor | None = None
        self._mode = 0o666 & ~_umask()
        self.written: list[Path] = []

    def add(self, path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> None:
        """Write ``data`` (bytes, or pieces of bytes in order) to a temporary file beside ``path``."""
        temp = self.reserve(path)
        self.fill(temp, data)
        self.flush(temp)

    def reserve(self, path: str | os.PathLike[str]) -> Path:
        """Stage ``path`` to be written later, maybe by another process; return its temporary file.

        Write the file with :meth:`fill` (in this process or a forked one), then call
        :meth:`flush` here; leaving the block with a reserved file not flushed is an error.
        """
        target = Path(path)
        if target.is_dir():
            raise ExportError(f"{target}: is a folder; give a file name")
        if any(target.resolve() == t.resolve() for _, t in self._staged):
            raise ExportError(f"{target}: the same file is given for two outputs")
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        except OSError as exc:
            raise ExportError(_describe(target, exc)) from None
        self._staged.append((tmp_name, target))
        self._reserved.add(tmp_name)
        try:
            os.fchmod(fd, self._mode)
        finally:
            os.close(fd)
        return Path(tmp_name)

    def fill(self, temp: Path, data: bytes | Iterable[bytes]) -> None:
        """Write ``data`` into the reserved file ``temp``; safe to call in a forked process."""
        try:
            with open(temp, "r+b") as handle:
                for piece in (data,) if isinstance(data, bytes) else data:
                    handle.write(piece)
        except OSError as exc:
            raise ExportError(_describe(self._target(temp), exc)) from None

    def flush(self, temp: Path) -> None:
        """Flush the written file ``temp`` to the disk, on a background thread."""
        self._reserved.discard(str(temp))
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sonics-fsync")
        self._syncs.append((self._target(temp), self._syncer.submit(_sync, temp)))

    def _target(self, temp: Path) -> Path:
        return next(target for tmp_name, target in self._staged if tmp_name == str(temp))

    def _wait_for_syncs(self) -> None:
        """Wait for every flush to the disk; raise the first failure."""
        failure = None
        for target, future in self._syncs:
            try:
                future.result()
            except OSError as exc:
                failure = failure or ExportError(_describe(target, exc))
        self._syncs.clear()
        if failure is not None:
            raise failure

    def _commit(self) -> None:
        if self._reserved:
            raise ExportError(f"{self._target(Path(min(self._reserved)))}: reserved but never written")
        self._wait_for_syncs()
        for tmp_name, target in self._staged:
            try:
                os.replace(tmp_name, target)
            except OSError as exc:
                raise ExportError(_describe(target, exc)) from None
            self.written.append(target)
        self._staged.clear()

    def _discard(self) -> None:
        with contextlib.suppress(ExportError):  # the run failed already: its files go anyway
            self._wait_for_syncs()
        if self._syncer is not None:
            self._syncer.shutdown()
            self._syncer = None
        for tmp_name, _ in self._staged:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        self._staged.clear()

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._discard()


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
    with AtomicFiles() as staged:
        for path, data in files.items():
            staged.add(path, data)
    return staged.written


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


class AtomicFolder:
    """Build an output folder beside its target, then move it into place whole, or not at all.

    Entering makes a hidden temporary folder next to ``target`` (same file system, so the
    final move is a rename) and returns its path; every output of the run is written there.
    Leaving without an error moves it into place: an existing ``target`` is replaced only
    with ``force`` (it is renamed aside first, then removed, so there is never a moment with
    half of either). An error, or an interrupt, removes the temporary folder and leaves
    ``target`` as it was.

    Parameters
    ----------
    target : str or Path
        The output folder. Its parent must exist.
    force : bool
        Replace an existing ``target``.

    Raises
    ------
    ExportError
        If ``target`` exists and ``force`` is false, is a file, or its parent is missing or
        cannot be written.

    Examples
    --------
    >>> with AtomicFolder("out", force=True) as tmp:  # doctest: +SKIP
    ...     (tmp / "analysis.json").write_bytes(b"{}")
    """

    def __init__(self, target: str | os.PathLike[str], *, force: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        self.staging: Path | None = None
        check_output_folder(self.target, force=force)

    def __enter__(self) -> Path:
        try:
            staging = tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        except OSError as exc:
            raise ExportError(_describe(self.target, exc)) from None
        os.chmod(staging, 0o777 & ~_umask())
        self.staging = Path(staging)
        return self.staging

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        staging, self.staging = self.staging, None
        if staging is None:
            return
        try:
            if exc_type is None:
                self._commit(staging)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _commit(self, staging: Path) -> None:
        check_output_folder(self.target, force=self.force)
        old: Path | None = None
        try:
            if self.target.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".old", dir=self.target.parent)
                )
                os.replace(self.target, old / self.target.name)
            os.replace(staging, self.target)
        except OSError as exc:
            if old is not None and (old / self.target.name).exists() and not self.target.exists():
                os.replace(old / self.target.name, self.target)
            raise ExportError(_describe(self.target, exc)) from None
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def remove_stale_staging(target: str | os.PathLike[str]) -> None:
    """Remove the staging folders a killed run of :class:`AtomicFolder` left beside ``target``.

    A process killed outright (a lost worker, ``kill -9``) cannot clean up; the next run
    of the same target does. Only the hidden ``.<name>.*.part`` and ``.<name>.*.old``
    folders are touched, never ``target`` itself.
    """
    target = Path(target)
    for pattern in (f".{target.name}.*.part", f".{target.name}.*.old"):
        for stale in target.parent.glob(pattern):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)


def check_output_folder(target: str | os.PathLike[str], *, force: bool = False) -> None:
    """Refuse an output folder before any work: a file, no parent, or existing without ``force``.

    Raises
    ------
    ExportError
        With one line naming the folder and what is wrong.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: is a file; give a folder")
    if not target.parent.resolve().is_dir():
        raise ExportError(f"{target}: the folder {target.parent} does not exist")
    if target.exists() and not force:
        raise ExportError(f"{target}: already exists; use --force to replace it, or give another folder")
    if not os.access(target.parent, os.W_OK):
        raise ExportError(f"{target}: cannot write in {target.parent} (permission denied)")


def write_pieces(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` (bytes, or pieces in order) to ``path``, for the files of an :class:`AtomicFolder`.

    Raises
    ------
    ExportError
        With one line naming the file when the write fails (a full disk, no permission).
    """
    target = Path(path)
    try:
        with target.open("wb") as handle:
            for piece in (data,) if isinstance(data, bytes) else data:
                handle.write(piece)
    except OSError as exc:
        raise ExportError(_describe(target, exc)) from None
    return target
