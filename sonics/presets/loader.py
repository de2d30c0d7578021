"""Read, check, override and write presets (TOML, schema 1).

A preset is checked in full before anything is built: every problem (unknown key, wrong
type, value out of range, duplicate layer name, missing key) is collected with its key path
and raised as one :class:`~sonics.core.errors.PresetError`. Overrides (``--set`` on the
command line) are applied to the preset's TOML form and go through the same checks.
Presets never run code: TOML is data only.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sonics.core.errors import ParameterError, PresetError
from sonics.presets.builtin import builtin_presets, builtin_source, read_builtin
from sonics.presets.schema import (
    SCHEMA_VERSION,
    STAGE_TABLES,
    LayerSettings,
    Preset,
    SfxSettings,
    _describe,  # one wording of values for every message
    check_value,
    suggest,
)

__all__ = [
    "apply_overrides",
    "builtin_descriptions",
    "load_preset",
    "parse_preset",
    "preset_to_dict",
    "preset_to_toml",
]


Problem = tuple[str, str]
"""A key path and what is wrong there."""


# --------------------------------------------------------------------------------------------
# Checking a TOML document


def _unknown_key(path: str, key: str, known: list[str]) -> Problem:
    hint = suggest(key, known)
    return path, "unknown key" + (hint or f" (known keys: {', '.join(known)})")


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _check_table(raw: Mapping[str, Any], cls: type, prefix: str, problems: list[Problem]) -> dict[str, Any]:
    """Check the keys of one table against ``cls``'s fields; return its checked values."""
    specs = {f.name: f.metadata["spec"] for f in dataclasses.fields(cls) if "spec" in f.metadata}
    extra = ["schema"] if cls is Preset else []
    out: dict[str, Any] = {}
    for key, value in raw.items():
        path = _join(prefix, key)
        if key in extra:
            continue
        spec = specs.get(key)
        if spec is None:
            problems.append(_unknown_key(path, key, [*extra, *specs]))
        elif spec.kind == "table":
            if isinstance(value, Mapping):
                out[key] = _check_table(value, STAGE_TABLES[key], path, problems)
            else:
                problems.append((path, f"expected a table ([{path}]), got {_describe(value)}"))
        elif spec.kind == "layers":
            out[key] = _check_layers(value, path, problems)
        else:
            checked, errs = check_value(spec, value)
            problems += [(path + sub, message) for sub, message in errs]
            out[key] = checked
    for key, spec in specs.items():
        if spec.required and key not in raw:
            problems.append((_join(prefix, key), "missing"))
    return out


def _check_layers(raw: Any, path: str, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        problems.append((path, f"expected an array of tables ([[{path}]]), got {_describe(raw)}"))
        return []
    layers = [_check_table(item, LayerSettings, f"{path}[{i}]", problems) for i, item in enumerate(raw)]
    first: dict[str, int] = {}
    for i, item in enumerate(raw):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append((f"{path}[{i}].name", f"{name!r} is already used by {path}[{first[name]}].name"))
        else:
            first[name] = i
    return layers


def _check_document(raw: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    if "schema" not in raw:
        problems.append(("schema", f"missing (put schema = {SCHEMA_VERSION} first)"))
    else:
        version = raw["schema"]
        if isinstance(version, bool) or not isinstance(version, int):
            problems.append(("schema", f"expected an integer, got {_describe(version)}"))
        elif version != SCHEMA_VERSION:
            problems.append(
                ("schema", f"{version} is not supported (this sonics reads schema {SCHEMA_VERSION})")
            )
    return _check_table(raw, Preset, "", problems)


def _build(checked: Mapping[str, Any], source: str) -> Preset:
    tables = {
        name: cls(**checked.get(name, {})) for name, cls in STAGE_TABLES.items() if cls is not SfxSettings
    }
    sfx_values = dict(checked.get("sfx", {}))
    layers = tuple(LayerSettings(**layer) for layer in sfx_values.pop("layers", []))
    return Preset(
        name=checked["name"],
        description=checked.get("description", ""),
        source=source,
        sfx=SfxSettings(**sfx_values, layers=layers),
        **tables,
    )


def _format(problems: list[Problem]) -> list[str]:
    return [f"{path}: {message}" for path, message in problems]


def _from_document(raw: Mapping[str, Any], source: str, notes: Mapping[str, str] | None = None) -> Preset:
    problems: list[Problem] = []
    checked = _check_document(raw, problems)
    if problems:
        if notes:
            problems = [(path, message + _note(path, message, notes)) for path, message in problems]
        raise PresetError(source, _format(problems))
    try:
        return _build(checked, source)
    except ParameterError as exc:  # a rule across keys of one table (min_bpm above max_bpm, ...)
        raise PresetError(source, [str(exc)]) from None


# --------------------------------------------------------------------------------------------
# Reading


_TOML_POSITION = re.compile(r"^(.*?)\s*\(at (line \d+, column \d+|end of document)\)$", re.DOTALL)


def _syntax_problem(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    match = _TOML_POSITION.match(text)
    if match is None:
        return f"toml syntax error: {text[:1].lower()}{text[1:]}"
    message, where = match.groups()
    return f"toml syntax error at {where}: {message[:1].lower()}{message[1:]}"


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise PresetError(
            source, [f"not UTF-8 text (byte 0x{byte:02x} on line {line}); save it as UTF-8"]
        ) from None
    return text


def parse_preset(text: str | bytes, source: str = "<string>") -> Preset:
    r"""Parse and check a preset from TOML text.

    Parameters
    ----------
    text : str or bytes
        The TOML document (bytes must be UTF-8; a leading byte-order mark is ignored).
    source : str
        What to call it in messages (a file path, ``"battle (built-in)"``).

    Returns
    -------
    Preset
        The checked preset, its ``source`` set to ``source``.

    Raises
    ------
    PresetError
        Listing every problem with its key path, e.g.
        ``sfx.layers[2].gain_db: 6.0 is outside [-60, 0] dB``; or one problem for text that
        is not UTF-8 or not TOML (with line and column).

    Example
    -------
    >>> text = ['schema = 1', 'name = "quiet"', '[spotting]', 'swell_threshold = 0.4']
    >>> preset = parse_preset("\n".join(text))
    >>> preset.name, preset.spotting.swell_threshold
    ('quiet', 0.4)
    """
    if isinstance(text, bytes):
        text = _decode(text, source)
    text = text.removeprefix("\ufeff")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(source, [_syntax_problem(exc)]) from None
    return _from_document(raw, source)


def _looks_like_path(text: str) -> bool:
    separators = {"/", os.sep, os.altsep or "/"}
    return any(sep in text for sep in separators) or text.endswith(".toml")


def _read_file(path: Path) -> bytes:
    source = str(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PresetError(source, ["no such file"]) from None
    except IsADirectoryError:
        raise PresetError(source, ["is a folder, not a preset file"]) from None
    except PermissionError:
        raise PresetError(source, ["cannot read the file (permission denied)"]) from None
    except OSError as exc:
        raise PresetError(source, [f"cannot read the file ({exc.strerror or exc})"]) from None


def load_preset(name_or_path: str | os.PathLike[str]) -> Preset:
    """Load a built-in preset by name, or a preset file by path.

    Parameters
    ----------
    name_or_path : str or path-like
        A built-in name (``"battle"``, see :func:`~sonics.presets.builtin.builtin_presets`)
        or the path of a TOML file. A string with a ``/`` or ending in ``.toml`` is a path.

    Returns
    -------
    Preset
        The checked preset.

    Raises
    ------
    PresetError
        If the name is neither a built-in nor an existing file (with the closest built-in
        name), the file cannot be read or is not UTF-8 TOML, or the preset is invalid
        (every problem listed).

    Example
    -------
    >>> load_preset("duel").name
    'duel'
    """
    if isinstance(name_or_path, os.PathLike):
        path = Path(name_or_path)
    else:
        text = str(name_or_path)
        if not _looks_like_path(text) and (text in builtin_presets() or not Path(text).is_file()):
            return parse_preset(read_builtin(text), builtin_source(text))
        path = Path(text)
    return parse_preset(_read_file(path), str(path))


def builtin_descriptions() -> tuple[tuple[str, str], ...]:
    """Return ``(name, description)`` of every built-in preset, for ``sonics presets list``.

    Raises
    ------
    PresetError
        If a built-in preset is invalid (a packaging bug).
    """
    return tuple((name, load_preset(name).description) for name in builtin_presets())


# --------------------------------------------------------------------------------------------
# The TOML form: as a dict, and as text


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _fields_dict(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if "spec" in f.metadata}


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """Return the preset's TOML form as plain dicts, lists, strings and numbers.

    ``parse``-ing :func:`preset_to_toml` of it, or feeding it back through the checks,
    gives an equal preset. Useful to record the preset a run used in its JSON.

    Parameters
    ----------
    preset : Preset
        Any preset.

    Returns
    -------
    dict
        ``{"schema": 1, "name": ..., "description": ..., "spotting": {...},
        "sfx": {"premix_peak_db": ..., "layers": [{...}, ...]}, "tempo": {...},
        "music": {...}, "mix": {...}}``.
    """
    data: dict[str, Any] = {"schema": SCHEMA_VERSION, "name": preset.name, "description": preset.description}
    for name in STAGE_TABLES:
        table = _fields_dict(getattr(preset, name))
        data[name] = {
            k: ([_plain(_fields_dict(layer)) for layer in v] if k == "layers" else _plain(v))
            for k, v in table.items()
        }
    return data


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _table_lines(obj: Any, comments: bool) -> list[str]:
    lines = []
    for f in dataclasses.fields(obj):
        spec = f.metadata.get("spec")
        if spec is None or spec.kind in ("table", "layers"):
            continue
        line = f"{f.name} = {_toml_value(_plain(getattr(obj, f.name)))}"
        if comments and spec.range_text and spec.kind != "string":
            line = f"{line:<36} # {spec.range_text}"
        lines.append(line)
    return lines


def preset_to_toml(preset: Preset, *, comments: bool = False) -> str:
    """Write a preset as a complete TOML document (every key, defaults included).

    Parameters
    ----------
    preset : Preset
        Any preset.
    comments : bool
        Add each key's allowed range as a trailing comment (``# [-60, 0] dB``).

    Returns
    -------
    str
        TOML text, ending in a newline; :func:`parse_preset` of it gives an equal preset.

    Example
    -------
    >>> print(preset_to_toml(Preset("quiet")).splitlines()[:3])
    ['schema = 1', 'name = "quiet"', 'description = ""']
    """
    lines = [
        f"schema = {SCHEMA_VERSION}",
        f"name = {_toml_string(preset.name)}",
        f"description = {_toml_string(preset.description)}",
    ]
    for name in STAGE_TABLES:
        table = getattr(preset, name)
        lines += ["", f"[{name}]", *_table_lines(table, comments)]
        for layer in getattr(table, "layers", ()):
            lines += ["", f"[[{name}.layers]]", *_table_lines(layer, comments)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Overrides


_SEGMENT = re.compile(r"([A-Za-z0-9_-]+)((?:\[\d+\])*)")
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.+-]*")
_OVERRIDE_EXAMPLE = "e.g. sfx.layers.whoosh.gain_db=-6"


def _parse_key(key: str) -> list[str | int] | None:
    parts: list[str | int] = []
    for segment in key.split("."):
        match = _SEGMENT.fullmatch(segment.strip())
        if match is None:
            return None
        parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return parts


def _parse_value(text: str) -> tuple[Any, bool]:
    if "\n" in text or "\r" in text:
        return None, False
    try:
        document = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        document = {}
    if set(document) == {"v"}:
        return document["v"], True
    if _BARE_WORD.fullmatch(text):
        return text, True  # a bare word is a string: shot_min_intensity=battle
    return None, False


def _set(raw: dict[str, Any], parts: list[str | int], value: Any) -> tuple[str, str | None]:
    """Set ``value`` at ``parts`` in ``raw``; return the canonical key path and a problem or None."""
    node: Any = raw
    path = ""
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if isinstance(node, list):
            if isinstance(part, str) and not part.isdigit():
                names = [item.get("name") for item in node if isinstance(item, dict)]
                if part not in names:
                    listed = ", ".join(str(n) for n in names) or "none"
                    return (
                        path,
                        f"no layer named {part!r}{suggest(part, [str(n) for n in names])}; layers: {listed}",
                    )
                index = names.index(part)
            else:
                index = int(part)
                if index >= len(node):
                    return path, f"{path} has {len(node)} entries; [{index}] is out of range"
            path += f"[{index}]"
            if last:
                return path, f"sets a whole layer; set one of its keys ({_OVERRIDE_EXAMPLE})"
            node = node[index]
        elif isinstance(node, dict):
            if isinstance(part, int):
                return path, f"{path or 'the preset'} is a table, not an array"
            path = _join(path, part)
            if last:
                node[part] = value
                return path, None
            node = node.setdefault(part, {})
        else:
            return path, f"{path} is a value, not a table"
    return path, "empty key"


def _note(path: str, message: str, notes: Mapping[str, str]) -> str:
    for target, text in notes.items():
        if path == target or path.startswith((target + ".", target + "[")) or f"by {target}" in message:
            return f" (from override {text!r})"
    return ""


def apply_overrides(preset: Preset, overrides: Iterable[str]) -> Preset:
    """Return ``preset`` with ``KEY=VALUE`` overrides applied, checked like a preset file.

    Parameters
    ----------
    preset : Preset
        The preset to change (it is not modified).
    overrides : iterable of str
        ``"KEY=VALUE"`` items. KEY is a key path; layers are picked by name or index
        (``sfx.layers.whoosh.gain_db``, ``sfx.layers[0].gain_db``). VALUE is a TOML value
        (``-6``, ``0.4``, ``"text"``, ``[0.2, 0.8]``, ``{ gait = "trot" }``); a bare word
        is a string (``spotting.shot_min_intensity=battle``).

    Returns
    -------
    Preset
        A new preset; its ``source`` says it has overrides. ``preset`` itself when there
        are none.

    Raises
    ------
    PresetError
        Listing every malformed override (no ``=``, bad key, unknown layer, unreadable
        value) and then every problem of the result, each naming the override it came from.

    Example
    -------
    >>> base = load_preset("battle")
    >>> apply_overrides(base, ["sfx.layers.whoosh.gain_db=-6"]).sfx.layer("whoosh").gain_db
    -6.0
    """
    items = list(overrides)
    if not items:
        return preset
    source = f"{preset.source or preset.name} with overrides"
    raw = preset_to_dict(preset)
    problems: list[str] = []
    notes: dict[str, str] = {}
    for text in items:
        key, sep, value_text = str(text).partition("=")
        key, value_text = key.strip(), value_text.strip()
        if not sep or not key or not value_text:
            problems.append(f"override {text!r}: expected KEY=VALUE ({_OVERRIDE_EXAMPLE})")
            continue
        parts = _parse_key(key)
        if parts is None:
            problems.append(f"override {text!r}: {key!r} is not a key path ({_OVERRIDE_EXAMPLE})")
            continue
        value, ok = _parse_value(value_text)
        if not ok:
            problems.append(
                f'override {text!r}: cannot read {value_text!r} as a TOML value (quote text: key="...")'
            )
            continue
        path, problem = _set(raw, parts, value)
        if problem is not None:
            problems.append(f"override {text!r}: {problem}")
        else:
            notes[path] = text
    if problems:
        raise PresetError(source, problems)
    return _from_document(raw, source, notes)
