"""The episodes of a series: found from files, folders and lists, each with its preset and seed.

``sonics batch`` takes any mix of:

- a video or timeline file: one episode, named by its file stem;
- a folder: every video file directly in it, in name order;
- a ``.txt`` list: one path per line (``#`` starts a comment), relative to the list's folder;
- a ``.csv`` list with a header row: a ``path`` column, and optionally ``name``, ``preset``,
  ``seed`` and ``set`` (preset overrides, separated by ``;``) per episode.

Every episode gets its own output folder ``OUTROOT/<name>/``, so names must be unique.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sonics.core.errors import MediaError, ParameterError
from sonics.core.rng import check_seed

__all__ = ["VIDEO_SUFFIXES", "Episode", "find_episodes"]

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".mkv", ".webm", ".m4v", ".avi", ".mxf", ".mts", ".ts"})
"""Files a folder input contributes (by suffix, case-insensitive)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_COLUMNS = ("path", "name", "preset", "seed", "set")


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode to score.

    Parameters
    ----------
    name : str
        Its output folder's name: letters, digits, ``.``, ``_`` and ``-``.
    source : str
        The video (or timeline, or ``analysis.json``) to score.
    preset : str
        A built-in preset name or a TOML file.
    seed : int
        The run's seed.
    overrides : tuple of str
        ``key=value`` preset overrides.
    """

    name: str
    source: str
    preset: str = "battle"
    seed: int = 0
    overrides: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ParameterError(
                f"episode name {self.name!r} must be letters, digits, '.', '_' and '-', starting with a "
                "letter or digit"
            )
        check_seed(self.seed)


def _clean_name(stem: str) -> str:
    """Turn a file stem into a folder name (spaces and other characters become ``_``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    return name or "episode"


def _from_text(path: Path, text: str, preset: str, seed: int) -> list[Episode]:
    episodes = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        source = (path.parent / entry) if not Path(entry).is_absolute() else Path(entry)
        if not source.exists():
            raise MediaError(f"{path}:{number}: {entry}: no such file")
        episodes.append(Episode(_clean_name(source.stem), str(source), preset, seed))
    return episodes


def _from_csv(path: Path, text: str, preset: str, seed: int) -> list[Episode]:
    rows = csv.DictReader(io.StringIO(text))
    header = [c.strip().lower() for c in rows.fieldnames or ()]
    if "path" not in header:
        raise MediaError(f"{path}: a CSV list needs a header row with a 'path' column (and optionally "
                         f"{', '.join(_COLUMNS[1:])})")  # fmt: skip
    unknown = [c for c in header if c not in _COLUMNS]
    if unknown:
        raise MediaError(f"{path}: unknown column {unknown[0]!r}; columns: {', '.join(_COLUMNS)}")
    episodes = []
    for number, raw in enumerate(rows, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not row.get("path"):
            continue
        source = Path(row["path"])
        source = source if source.is_absolute() else path.parent / source
        if not source.exists():
            raise MediaError(f"{path}:{number}: {row['path']}: no such file")
        try:
            episode_seed = int(row["seed"]) if row.get("seed") else seed
        except ValueError:
            raise MediaError(f"{path}:{number}: seed {row['seed']!r} is not an integer") from None
        overrides = tuple(s.strip() for s in row.get("set", "").split(";") if s.strip())
        try:
            episodes.append(
                Episode(
                    row.get("name") or _clean_name(source.stem),
                    str(source),
                    row.get("preset") or preset,
                    episode_seed,
                    overrides,
                )
            )
        except ParameterError as exc:
            raise MediaError(f"{path}:{number}: {exc}") from None
    return episodes


def _read_list(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MediaError(f"{path}: cannot read the list ({str(exc).lower()})") from None


def find_episodes(
    inputs: Iterable[str | os.PathLike[str]], *, preset: str = "battle", seed: int = 0
) -> tuple[Episode, ...]:
    """Return the episodes the inputs name, in the order given.

    Parameters
    ----------
    inputs : iterable of str or Path
        Video or timeline files, folders of videos, ``.txt`` or ``.csv`` lists.
    preset : str
        The preset of every episode a list does not give one.
    seed : int
        The seed of every episode a list does not give one.

    Returns
    -------
    tuple of Episode
        With unique names.

    Raises
    ------
    MediaError
        If an input does not exist, a list is malformed (with its line), or two episodes
        share a name.

    Examples
    --------
    >>> [e.name for e in find_episodes(["series/"])]  # doctest: +SKIP
    ['ep01', 'ep02', 'ep03']
    """
    check_seed(seed)
    episodes: list[Episode] = []
    for given in inputs:
        path = Path(given)
        if not path.exists():
            raise MediaError(f"{path}: no such file or folder")
        if path.is_dir():
            videos = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
            if not videos:
                raise MediaError(f"{path}: holds no video files ({', '.join(sorted(VIDEO_SUFFIXES))})")
            episodes += [Episode(_clean_name(p.stem), str(p), preset, seed) for p in videos]
        elif path.suffix.lower() == ".txt":
            episodes += _from_text(path, _read_list(path), preset, seed)
        elif path.suffix.lower() == ".csv":
            episodes += _from_csv(path, _read_list(path), preset, seed)
        else:
            episodes.append(Episode(_clean_name(path.stem), str(path), preset, seed))
    if not episodes:
        raise MediaError("no episodes: the lists given are empty")
    seen: dict[str, str] = {}
    for episode in episodes:
        if episode.name in seen:
            raise MediaError(
                f"two episodes are named {episode.name!r} ({seen[episode.name]} and {episode.source}); "
                "give them names in a CSV list (columns path,name)"
            )
        seen[episode.name] = episode.source
    return tuple(episodes)
