"""Built-in presets: the TOML files shipped in the package folder ``sonics/presets/builtin/``.

The folder is found through :mod:`importlib.resources`, so it works from a checkout (where
it is a link to the top-level ``presets/`` folder) and from an installed wheel alike. This
module only finds and reads the files; :mod:`sonics.presets.loader` parses them.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from sonics.core.errors import PresetError
from sonics.presets.schema import suggest

__all__ = ["DEFAULT_PRESET", "builtin_presets", "builtin_source", "read_builtin"]

DEFAULT_PRESET = "battle"
"""The preset a run uses when none is named."""

_SUFFIX = ".toml"


def _folder() -> Traversable:
    return resources.files("sonics.presets").joinpath("builtin")


def builtin_presets() -> tuple[str, ...]:
    """Return the names of the built-in presets, sorted.

    Returns
    -------
    tuple of str
        File names without ``.toml`` (``"aftermath"``, ``"ambush"``, ``"battle"``, ...).

    Example
    -------
    >>> "battle" in builtin_presets()
    True
    """
    folder = _folder()
    if not folder.is_dir():
        return ()
    names = (e.name[: -len(_SUFFIX)] for e in folder.iterdir() if e.name.endswith(_SUFFIX) and e.is_file())
    return tuple(sorted(names))


def builtin_source(name: str) -> str:
    """Return how messages name the built-in preset ``name``: ``"<name> (built-in)"``."""
    return f"{name} (built-in)"


def read_builtin(name: str) -> bytes:
    """Return the bytes of the built-in preset file ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`builtin_presets`.

    Returns
    -------
    bytes
        The TOML file as stored.

    Raises
    ------
    PresetError
        If there is no built-in preset of that name (with the closest name and the list).
    """
    names = builtin_presets()
    if name not in names:
        problem = f"no built-in preset {name!r}{suggest(name, names)}; built-in: {', '.join(names) or 'none'}"
        raise PresetError(name, [problem])
    return _folder().joinpath(name + _SUFFIX).read_bytes()
