"""Preset schema 1: what a preset holds, and each setting's type, range, unit and meaning.

Every setting is a field of a frozen dataclass whose metadata carries a :class:`FieldSpec`.
That spec is the one source of truth: the loader checks TOML against it, settings built in
Python are checked against it in ``__post_init__``, and :func:`describe_fields` lists it for
``sonics presets`` and the documentation.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sonics.core.errors import ParameterError
from sonics.core.model import ShotIntensity
from sonics.core.score import DRUM_INSTRUMENTS, INSTRUMENTS

__all__ = [
    "EVENTS",
    "SCHEMA_SPEC",
    "SCHEMA_VERSION",
    "STAGE_TABLES",
    "FieldInfo",
    "FieldSpec",
    "LayerSettings",
    "MixSettings",
    "MusicSettings",
    "Preset",
    "SfxSettings",
    "SpottingSettings",
    "TempoSettings",
    "check_value",
    "describe_fields",
    "suggest",
]

SCHEMA_VERSION = 1
"""The preset schema this sonics reads and writes (``schema = 1`` in the file)."""

EVENTS = ("cut", "transition", "impact", "flash", "shot", "swell", "last_cut", "bed")
"""Picture events a layer can sound on; ``"bed"`` makes the layer a bed that lasts the whole picture."""

_ENUM_VALUES = {
    "shot_intensity": tuple(str(v) for v in ShotIntensity),
    "source": ("auto", "generator", "samples"),
    "sync": ("auto", "onset", "peak"),
    "follow": ("motion", "intensity", "constant"),
    "mode": (
        "major",
        "minor",
        "dorian",
        "phrygian",
        "lydian",
        "mixolydian",
        "harmonic_minor",
        "gong",
        "shang",
        "jue",
        "zhi",
        "yu",
    ),
}

_KIND_NAMES = {
    "number": "float",
    "integer": "int",
    "boolean": "bool",
    "string": "string",
    "choice": "string",
    "events": "list of string",
    "catids": "list of string",
    "strings": "list of string",
    "range": "[min, max]",
    "params": "table",
    "table": "table",
    "layers": "array of tables",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """The rule of one preset setting.

    Parameters
    ----------
    kind : str
        ``"number"`` (float), ``"integer"``, ``"boolean"``, ``"string"``, ``"choice"`` (one of
        ``choices``), ``"events"`` (non-empty list of distinct ``choices``), ``"catids"``
        (list of UCS CatIDs), ``"strings"`` (list of non-empty strings), ``"range"``
        (``[min, max]`` numbers), ``"params"`` (a table of plain values), ``"table"`` or
        ``"layers"`` (sub-tables, checked field by field).
    doc : str
        What the setting does, in one sentence.
    unit : str
        Unit shown after ranges (``"dB"``, ``"s"``, ``"ms"``, ``"semitones"``), or ``""``.
    low, high : float or None
        Inclusive bounds of numbers (and of both ends of a range).
    choices : tuple of str
        Allowed strings of ``"choice"`` and ``"events"``.
    pattern : str
        Regular expression a ``"string"`` must match in full (``""``: any).
    pattern_doc : str
        The pattern in words, for error messages.
    required : bool
        The key must be present in a preset file.
    """

    kind: str
    doc: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str = ""
    pattern_doc: str = ""
    required: bool = False

    @property
    def range_text(self) -> str:
        """Return the allowed values as people read them (``"[-60, 0] dB"``, ``"auto|onset|peak"``)."""
        if self.choices:
            return "|".join(self.choices)
        if self.low is None and self.high is None:
            return self.pattern_doc
        text = f"[{_fmt(self.low)}, {_fmt(self.high)}]"
        return f"{text} {self.unit}" if self.unit else text


def _spec(kind: str, doc: str, **kwargs: Any) -> dict[str, FieldSpec]:
    return {"spec": FieldSpec(kind, doc, **kwargs)}


def _fmt(x: float | None) -> str:
    if x is None:
        return "..."
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def suggest(word: str, known: Sequence[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest of ``known`` to ``word``, or ``""``."""
    lowered = {k.lower(): k for k in known}
    if word.lower() in lowered:
        return f" (did you mean {lowered[word.lower()]!r}?)"
    hits = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


def _describe(value: Any) -> str:
    """Name a TOML value's type and show it, for 'expected ..., got ...' messages."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_number(spec: FieldSpec, value: Any, what: str = "a number") -> tuple[Any, list[tuple[str, str]]]:
    integer = spec.kind == "integer"
    if integer and (isinstance(value, bool) or not isinstance(value, int)):
        return None, [("", f"expected an integer, got {_describe(value)}")]
    if not _is_number(value):
        return None, [("", f"expected {what}, got {_describe(value)}")]
    if not math.isfinite(value):
        return None, [("", f"{value!r} is not a finite number")]
    low = -math.inf if spec.low is None else spec.low
    high = math.inf if spec.high is None else spec.high
    if not low <= value <= high:
        unit = f" {spec.unit}" if spec.unit else ""
        return None, [("", f"{value!r} is outside [{_fmt(spec.low)}, {_fmt(spec.high)}]{unit}")]
    return (int(value) if integer else float(value)), []


def _check_boolean(value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, bool):
        return None, [("", f"expected true or false, got {_describe(value)}")]
    return value, []


def _check_choice(spec: FieldSpec, value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, str):
        return None, [("", f"expected a string, got {_describe(value)}")]
    if value not in spec.choices:
        return None, [
            ("", f"{value!r} is not one of {', '.join(spec.choices)}{suggest(value, spec.choices)}")
        ]
    return value, []


def _check_list(spec: FieldSpec, value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, (list, tuple)):
        return None, [("", f"expected an array of strings, got {_describe(value)}")]
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        where = f"[{i}]"
        if not isinstance(item, str):
            problems.append((where, f"expected a string, got {_describe(item)}"))
        elif spec.kind == "events" and item not in spec.choices:
            problems.append((where, f"{item!r} is not an event{suggest(item, spec.choices)}; events: "
                                    + ", ".join(spec.choices)))  # fmt: skip
        elif spec.kind == "catids" and not re.fullmatch(r"[A-Z][A-Za-z0-9]*", item):
            problems.append((where, f"{item!r} is not a UCS CatID (letters and digits, starting upper-case, "
                                    "e.g. 'WHSH' or 'WEAPSwrd')"))  # fmt: skip
        elif spec.kind == "strings" and not item.strip():
            problems.append((where, "must not be empty"))
        elif item in seen:
            problems.append((where, f"{item!r} is listed twice (also at [{seen[item]}])"))
        else:
            seen[item] = i
    if spec.kind == "events" and not value:
        problems.append(("", f"must name at least one event ({', '.join(spec.choices)})"))
    if spec.kind == "events" and "bed" in value and len(value) > 1:
        problems.append(("", "'bed' cannot be combined with other events (a layer is either a bed or hits)"))
    return (tuple(value) if not problems else None), problems


def _check_range(spec: FieldSpec, value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        shown = f"an array of {len(value)}" if isinstance(value, (list, tuple)) else _describe(value)
        return None, [("", f"expected [min, max], got {shown}")]
    problems: list[tuple[str, str]] = []
    ends = []
    for i, item in enumerate(value):
        number, errs = _check_number(spec, item)
        problems += [(f"[{i}]", message) for _, message in errs]
        ends.append(number)
    if not problems and ends[0] > ends[1]:
        problems.append(("", f"min {ends[0]!r} is above max {ends[1]!r}"))
    return (None if problems else (ends[0], ends[1])), problems


_PARAM_KEY = re.compile(r"[a-z_][a-z0-9_]*")


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, bool)) or (_is_number(value) and math.isfinite(value))


def _check_params(value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, Mapping):
        return None, [("", f'expected a table, e.g. {{ gait = "gallop" }}, got {_describe(value)}')]
    problems: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _PARAM_KEY.fullmatch(key):
            problems.append(("", f"{key!r} is not a parameter name (lower-case letters, digits, _)"))
        elif _is_plain(item):
            clean[key] = item
        elif isinstance(item, (list, tuple)) and all(_is_plain(v) for v in item):
            clean[key] = tuple(item)
        else:
            problems.append(
                (f".{key}", f"expected a string, number, boolean or array of them, got {_describe(item)}")
            )
    return (None if problems else MappingProxyType(clean)), problems


def _check_string(spec: FieldSpec, value: Any) -> tuple[Any, list[tuple[str, str]]]:
    if not isinstance(value, str):
        return None, [("", f"expected a string, got {_describe(value)}")]
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return None, [("", f"{value!r} is not valid ({spec.pattern_doc})")]
    return value, []


def check_value(spec: FieldSpec, value: Any) -> tuple[Any, list[tuple[str, str]]]:
    """Check one value against its spec and return it in its Python form.

    Parameters
    ----------
    spec : FieldSpec
        The rule.
    value : Any
        The value as TOML gives it (numbers, strings, lists, dicts).

    Returns
    -------
    value : Any
        The value as the dataclass holds it (floats, tuples, a read-only mapping), or
        ``None`` when there are problems.
    problems : list of (str, str)
        ``(sub_path, message)`` pairs; ``sub_path`` is ``""`` for the value itself or
        ``"[i]"`` / ``".key"`` for a part of it.
    """
    if spec.kind in ("number", "integer"):
        return _check_number(spec, value)
    if spec.kind == "boolean":
        return _check_boolean(value)
    if spec.kind == "choice":
        return _check_choice(spec, value)
    if spec.kind in ("events", "catids", "strings"):
        return _check_list(spec, value)
    if spec.kind == "range":
        return _check_range(spec, value)
    if spec.kind == "params":
        return _check_params(value)
    if spec.kind == "string":
        return _check_string(spec, value)
    raise ParameterError(f"field kind {spec.kind!r} is checked table by table, not as a value")


def _post_init(obj: Any, label: str) -> None:
    """Coerce every checked field of ``obj`` to its Python form; raise on the first bad ones."""
    problems = []
    for f in dataclasses.fields(obj):
        spec = f.metadata.get("spec")
        if spec is None or spec.kind in ("table", "layers"):
            continue
        value, errs = check_value(spec, getattr(obj, f.name))
        if errs:
            problems += [f"{f.name}{sub}: {message}" for sub, message in errs]
        else:
            object.__setattr__(obj, f.name, value)
    if problems:
        raise ParameterError(f"{label}: {'; '.join(problems)}")


@dataclass(frozen=True, slots=True)
class SpottingSettings:
    """How picture events become hits: the ``[spotting]`` table.

    Parameters
    ----------
    silence_before_biggest_s : float
        Seconds in [0, 3] cleared of hits before the biggest impact or cut.
    silence_depth_db : float
        dB in [-60, 0] beds dip in that window.
    swell_threshold : float
        Motion level in [0, 1] above which a local maximum is a "swell" event.
    swell_min_gap_s : float
        Seconds in [0, 60] between two swells at least.
    shot_min_intensity : str
        ``calm``, ``tension`` or ``battle``: starts of shots at or above it are "shot" events.

    Example
    -------
    >>> SpottingSettings(swell_threshold=0.4).swell_threshold
    0.4
    """

    silence_before_biggest_s: float = field(
        default=0.5,
        metadata=_spec(
            "number", "hits are cleared this long before the biggest impact or cut", unit="s", low=0, high=3
        ),
    )
    silence_depth_db: float = field(
        default=-18.0,
        metadata=_spec(
            "number",
            "beds dip this much in the silence before the biggest moment",
            unit="dB",
            low=-60,
            high=0,
        ),
    )
    swell_threshold: float = field(
        default=0.55,
        metadata=_spec(
            "number", "motion level (0..1) whose local maxima above it are 'swell' events", low=0, high=1
        ),
    )
    swell_min_gap_s: float = field(
        default=2.0,
        metadata=_spec("number", "two swells are at least this far apart", unit="s", low=0, high=60),
    )
    shot_min_intensity: str = field(
        default="tension",
        metadata=_spec(
            "choice",
            "starts of shots at or above this intensity are 'shot' events",
            choices=_ENUM_VALUES["shot_intensity"],
        ),
    )

    def __post_init__(self) -> None:
        _post_init(self, "spotting settings")
        object.__setattr__(self, "shot_min_intensity", ShotIntensity(self.shot_min_intensity))


@dataclass(frozen=True, slots=True)
class LayerSettings:
    """One SFX layer: which events it sounds on, with what, how loud and how varied.

    A layer is rendered to its own stem ``stems/sfx_<name>.wav``. Hit layers place one
    sound per chosen event; a bed layer (``events = ["bed"]``) lasts the whole picture and
    follows a level curve.

    Parameters
    ----------
    name : str
        Unique layer name, ``^[a-z][a-z0-9_]*$``.
    events : tuple of str
        Non-empty subset of :data:`EVENTS`; ``("bed",)`` alone for a bed.
    generator : str
        Registry name of the procedural generator (checked by the SFX stage).
    ucs, samples : tuple of str
        UCS CatIDs and explicit files used with ``--samples``.
    source, sync, follow : str
        See :func:`describe_fields` for these and every other field (gains in dB, times in
        s or ms, shares in 0..1).
    duration_s : tuple of float
        ``(min, max)`` seconds, mapped from the cue's intensity.
    params : Mapping
        Read-only generator parameter overrides.

    Example
    -------
    >>> layer = LayerSettings("whoosh", ["cut"], "whoosh", gain_db=-8)
    >>> layer.events, layer.gain_db, layer.is_bed
    (('cut',), -8.0, False)
    """

    name: str = field(
        metadata=_spec(
            "string",
            "layer name; its stem is stems/sfx_<name>.wav",
            pattern=r"[a-z][a-z0-9_]*",
            pattern_doc="lower-case letters, digits and _, starting with a letter",
            required=True,
        )
    )
    events: tuple[str, ...] = field(
        metadata=_spec(
            "events",
            "picture events the layer sounds on; ['bed'] alone for a bed",
            choices=EVENTS,
            required=True,
        )
    )
    generator: str = field(
        metadata=_spec(
            "string",
            "procedural generator (registry name) used when no sample is",
            pattern=r"[a-z][a-z0-9_]*",
            pattern_doc="a generator name such as 'whoosh'",
            required=True,
        )
    )
    ucs: tuple[str, ...] = field(
        default=(), metadata=_spec("catids", "UCS CatIDs whose files in --samples the layer may use")
    )
    samples: tuple[str, ...] = field(
        default=(), metadata=_spec("strings", "explicit sample files, relative to --samples or absolute")
    )
    source: str = field(
        default="auto",
        metadata=_spec(
            "choice",
            "auto: samples when the library has a match, else the generator",
            choices=_ENUM_VALUES["source"],
        ),
    )
    sync: str = field(
        default="auto",
        metadata=_spec(
            "choice",
            "which point of a sample lands on the cue: auto (peak for whooshes, onset otherwise)",
            choices=_ENUM_VALUES["sync"],
        ),
    )
    gain_db: float = field(default=-12.0, metadata=_spec("number", "layer level", unit="dB", low=-60, high=0))
    pan: float = field(
        default=0.0, metadata=_spec("number", "stereo position, -1 left to 1 right", low=-1, high=1)
    )
    pan_spread: float = field(
        default=0.0, metadata=_spec("number", "random ± around pan per cue", low=0, high=1)
    )
    lead_ms: float = field(
        default=0.0,
        metadata=_spec(
            "number",
            "hits: the sync point lands this much before the event (negative: after)",
            unit="ms",
            low=-500,
            high=500,
        ),
    )
    min_gap_s: float = field(
        default=0.0,
        metadata=_spec("number", "hits: no two cues of the layer closer than this", unit="s", low=0, high=60),
    )
    min_weight: float = field(
        default=0.0,
        metadata=_spec("number", "hits: events weaker than this (0..1) are skipped", low=0, high=1),
    )
    density: float = field(
        default=1.0,
        metadata=_spec(
            "number", "hits: share of eligible events (strongest first) that get a sound", low=0, high=1
        ),
    )
    pitch_semitones: float = field(
        default=0.5, metadata=_spec("number", "random ± pitch per cue", unit="semitones", low=0, high=12)
    )
    gain_jitter_db: float = field(
        default=1.5, metadata=_spec("number", "random ± gain per cue", unit="dB", low=0, high=12)
    )
    timing_jitter_ms: float = field(
        default=0.0,
        metadata=_spec(
            "number", "hits: random ± time per cue (rhythmic sources only)", unit="ms", low=0, high=50
        ),
    )
    duration_s: tuple[float, float] = field(
        default=(0.5, 1.5),
        metadata=_spec(
            "range", "hits: sound length, from min (weak) to max (strong)", unit="s", low=0.05, high=600
        ),
    )
    floor_db: float = field(
        default=-30.0, metadata=_spec("number", "beds: level when the curve is 0", unit="dB", low=-60, high=0)
    )
    follow: str = field(
        default="motion",
        metadata=_spec(
            "choice",
            "beds: level curve from the motion envelope, from shot intensity, or flat",
            choices=_ENUM_VALUES["follow"],
        ),
    )
    params: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}),
        metadata=_spec("params", 'generator parameter overrides, e.g. { gait = "gallop", n_horses = 24 }'),
    )

    def __post_init__(self) -> None:
        _post_init(self, f"layer {self.name!r}")

    @property
    def is_bed(self) -> bool:
        """Return True for a bed layer (``events == ("bed",)``)."""
        return "bed" in self.events


@dataclass(frozen=True, slots=True)
class SfxSettings:
    """The ``[sfx]`` table: the premix ceiling and the layers, in stem order.

    Parameters
    ----------
    premix_peak_db : float
        dBFS in [-20, 0]: the sfx.wav premix is scaled down if it peaks above.
    layers : tuple of LayerSettings
        The layers, with unique names.

    Example
    -------
    >>> SfxSettings(layers=[LayerSettings("wind", ["bed"], "wind")]).layers[0].name
    'wind'
    """

    premix_peak_db: float = field(
        default=-1.0,
        metadata=_spec(
            "number", "the sfx.wav premix is scaled down if it peaks above this", unit="dB", low=-20, high=0
        ),
    )
    layers: tuple[LayerSettings, ...] = field(
        default=(), metadata=_spec("layers", "the layers ([[sfx.layers]] tables), one stem each")
    )

    def __post_init__(self) -> None:
        _post_init(self, "sfx settings")
        object.__setattr__(self, "layers", tuple(self.layers))
        seen: set[str] = set()
        for layer in self.layers:
            if not isinstance(layer, LayerSettings):
                raise ParameterError(f"sfx layers must be LayerSettings, got {type(layer).__name__}")
            if layer.name in seen:
                raise ParameterError(f"sfx layers: the name {layer.name!r} is used twice")
            seen.add(layer.name)

    def layer(self, name: str) -> LayerSettings:
        """Return the layer called ``name``.

        Raises
        ------
        ParameterError
            If there is no such layer.
        """
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = [layer.name for layer in self.layers]
        raise ParameterError(
            f"no layer named {name!r}{suggest(name, names)}; layers: {', '.join(names) or 'none'}"
        )


@dataclass(frozen=True, slots=True)
class TempoSettings:
    """How the score's tempo is found and mapped onto the hits: the ``[tempo]`` table.

    Parameters
    ----------
    min_bpm, max_bpm : float
        Tempo range searched, BPM in [20, 400].
    step_bpm : float
        Tempo step of the search, BPM in [0.001, 10].
    tolerance_frames : float
        A hit within this many frames of a grid line is caught, in [0, 12].
    subdivision : int
        Grid lines per beat, 1..16 (2: eighth notes).
    meter : str
        ``"4/4"``, ``"3/4"``, ``"6/8"``...
    sync_weight : float
        Hits weighing at least this (0..1) are sync hits the tempo map must land exactly.
    max_change_pct : float
        Largest tempo change between neighbouring segments, % in [0, 50].
    min_hold_bars : float
        A tempo holds at least this many bars, in [0.25, 64] (ramps excepted).
    prefer_downbeats : bool
        Land sync hits on downbeats where it costs little, not only on beats.
    allow_ramps : bool
        Let the map change tempo by a ramp (accelerando, ritardando) where a step would lurch.
    max_ramp_bars : float
        A ramp lasts at most this many bars, in [0.5, 16].

    Example
    -------
    >>> TempoSettings(max_change_pct=4).max_change_pct
    4.0
    """

    min_bpm: float = field(
        default=70.0, metadata=_spec("number", "slowest tempo searched", unit="BPM", low=20, high=400)
    )
    max_bpm: float = field(
        default=170.0, metadata=_spec("number", "fastest tempo searched", unit="BPM", low=20, high=400)
    )
    step_bpm: float = field(
        default=0.01, metadata=_spec("number", "tempo step of the search", unit="BPM", low=0.001, high=10)
    )
    tolerance_frames: float = field(
        default=1.0,
        metadata=_spec("number", "a hit this close to a grid line is caught", unit="frames", low=0, high=12),
    )
    subdivision: int = field(
        default=2, metadata=_spec("integer", "grid lines per beat (2: eighth notes)", low=1, high=16)
    )
    meter: str = field(
        default="4/4",
        metadata=_spec(
            "string",
            "the meter",
            pattern=r"[1-9][0-9]?/(1|2|4|8|16|32)",
            pattern_doc="numerator/denominator, e.g. 4/4 or 6/8",
        ),
    )
    sync_weight: float = field(
        default=0.8,
        metadata=_spec("number", "hits at least this heavy (0..1) land exactly on a beat", low=0, high=1),
    )
    max_change_pct: float = field(
        default=6.0,
        metadata=_spec(
            "number", "largest tempo change between neighbouring segments", unit="%", low=0, high=50
        ),
    )
    min_hold_bars: float = field(
        default=2.0,
        metadata=_spec("number", "a tempo holds at least this long", unit="bars", low=0.25, high=64),
    )
    prefer_downbeats: bool = field(
        default=True, metadata=_spec("boolean", "land sync hits on downbeats where it costs little")
    )
    allow_ramps: bool = field(
        default=True, metadata=_spec("boolean", "change tempo by a short ramp where a step would lurch")
    )
    max_ramp_bars: float = field(
        default=2.0,
        metadata=_spec("number", "a ramp lasts at most this long", unit="bars", low=0.5, high=16),
    )

    def __post_init__(self) -> None:
        _post_init(self, "tempo settings")
        if self.min_bpm > self.max_bpm:
            raise ParameterError(f"tempo settings: min_bpm {self.min_bpm} is above max_bpm {self.max_bpm}")

    @property
    def meter_tuple(self) -> tuple[int, int]:
        """Return the meter as ``(numerator, denominator)``."""
        numerator, denominator = self.meter.split("/")
        return int(numerator), int(denominator)


_OSTINATOS = ("eighths", "gallop", "sixteenths")


@dataclass(frozen=True, slots=True)
class MusicSettings:
    """The generated score: the ``[music]`` table.

    Parameters
    ----------
    key : str
        Tonic, ``C`` .. ``B`` with an optional ``#`` or ``b``.
    mode : str
        Scale: western modes or the Chinese pentatonic modes ``gong``, ``shang``, ``jue``,
        ``zhi``, ``yu`` (named by their tonic: D yu is D F G A C).
    gain_db : float
        Level of the music premix, dB in [-60, 0].
    parts : tuple of str
        The palette: the instruments that play, one part (MIDI track, stem) each, in
        :data:`~sonics.core.score.INSTRUMENTS` (``taiko``, ``cymbals``, ``low_strings``,
        ``high_strings``, ``brass``, ``pad``, ``choir``, ``koto``, ``pipa``, ``dizi``).
    gm_programs : Mapping
        General MIDI programs (0-based, 0..127) replacing the stand-ins of some parts, e.g.
        ``{ dizi = 77 }``; ``taiko`` and ``cymbals`` share the drum channel and so one kit.
    intensity_scale : float
        In [0.25, 4]: multiplies the picture's energy before it chooses the sections (below
        1 the music stays lower: drone and ostinato; above 1 it reaches the full battle sooner).
    min_section_bars : int
        A section lasts at least this many bars, 1..32.
    ostinato : str
        Rhythm of the low-string ostinato in full battle: ``eighths``, ``gallop`` (eighth
        and two sixteenths) or ``sixteenths``; ostinato sections play one step calmer.
    accents : bool
        Strike the hits: brass stabs, cymbal crashes, big drums and strums on the sync hits and
        the biggest moment, drum accents on the other heavy hits. Off, the music follows the
        picture's sections and keeps its silence and sting, but hits nothing.
    accent_min_weight : float
        Hits that are not sync hits get a drum accent when at least this heavy, in [0, 1].
    riser_beats : float
        Length of the riser (cymbal swell, string run, brass and drum crescendo) into each
        of the biggest cuts, beats in [0, 32]; 0 for none.
    riser_min_weight : float
        Sync hits at least this heavy (0..1) get a riser; the biggest moment always does.
    silence_before_biggest_s : float
        Seconds in [0, 3] of silence before the biggest moment (then the hit).
    sting : bool
        Sound a sting on the last cut and let it ring, shaped, to the end of the picture.
    humanize_velocity : int
        Largest random change of a note's velocity, 0..30.
    humanize_ms : float
        Largest random shift of a note's onset, ms in [0, 30]; notes on hits never move.

    Example
    -------
    >>> MusicSettings(mode="yu", parts=["taiko", "pipa"]).parts
    ('taiko', 'pipa')
    """

    key: str = field(
        default="D",
        metadata=_spec("string", "tonic of the score", pattern=r"[A-G][#b]?", pattern_doc="C..B, # or b"),
    )
    mode: str = field(
        default="minor", metadata=_spec("choice", "scale of the score", choices=_ENUM_VALUES["mode"])
    )
    gain_db: float = field(
        default=-6.0, metadata=_spec("number", "level of the music premix", unit="dB", low=-60, high=0)
    )
    parts: tuple[str, ...] = field(
        default=("taiko", "cymbals", "low_strings", "high_strings", "brass", "pad", "choir"),
        metadata=_spec(
            "strings", "the instruments that play, one part (track and stem) each: " + ", ".join(INSTRUMENTS)
        ),
    )
    gm_programs: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}),
        metadata=_spec("params", "General MIDI programs (0-based) replacing stand-ins, e.g. { dizi = 77 }"),
    )
    intensity_scale: float = field(
        default=1.0,
        metadata=_spec(
            "number",
            "multiplies the picture's energy before it picks drone, ostinato or battle",
            low=0.25,
            high=4,
        ),
    )
    min_section_bars: int = field(
        default=2,
        metadata=_spec("integer", "a section lasts at least this long", unit="bars", low=1, high=32),
    )
    ostinato: str = field(
        default="sixteenths",
        metadata=_spec("choice", "rhythm of the low-string ostinato in full battle", choices=_OSTINATOS),
    )
    accents: bool = field(
        default=True, metadata=_spec("boolean", "strike the hits: stabs, crashes and drums on sync hits")
    )
    accent_min_weight: float = field(
        default=0.5,
        metadata=_spec(
            "number", "hits that are not sync hits get a drum accent from this weight", low=0, high=1
        ),
    )
    riser_beats: float = field(
        default=4.0,
        metadata=_spec("number", "length of a riser into a big cut (0: none)", unit="beats", low=0, high=32),
    )
    riser_min_weight: float = field(
        default=0.9,
        metadata=_spec("number", "sync hits at least this heavy get a riser", low=0, high=1),
    )
    silence_before_biggest_s: float = field(
        default=0.5,
        metadata=_spec("number", "silence before the biggest moment, then the hit", unit="s", low=0, high=3),
    )
    sting: bool = field(
        default=True, metadata=_spec("boolean", "a sting on the last cut, ringing to the end of the picture")
    )
    humanize_velocity: int = field(
        default=6, metadata=_spec("integer", "largest random change of a note's velocity", low=0, high=30)
    )
    humanize_ms: float = field(
        default=4.0,
        metadata=_spec(
            "number",
            "largest random shift of a note's onset (notes on hits never move)",
            unit="ms",
            low=0,
            high=30,
        ),
    )

    def __post_init__(self) -> None:
        _post_init(self, "music settings")
        known = tuple(INSTRUMENTS)
        problems = []
        if not self.parts:
            problems.append("parts: name at least one instrument")
        listed = ", ".join(known)
        problems += [
            f"parts[{i}]: {name!r} is not an instrument{suggest(name, known)}; instruments: {listed}"
            for i, name in enumerate(self.parts)
            if name not in INSTRUMENTS
        ]
        for name, program in self.gm_programs.items():
            if name not in INSTRUMENTS:
                problems.append(f"gm_programs.{name}: not an instrument{suggest(name, known)}")
            elif isinstance(program, bool) or not isinstance(program, int) or not 0 <= program <= 127:
                problems.append(
                    f"gm_programs.{name}: a program must be an integer in 0..127, got {program!r}"
                )
        kits = {self.gm_programs.get(n, INSTRUMENTS[n]) for n in DRUM_INSTRUMENTS}
        if len(kits) > 1:
            problems.append(
                "gm_programs: taiko and cymbals share the drum channel, so they need one kit program"
            )
        if problems:
            raise ParameterError(f"music settings: {'; '.join(problems)}")

    def program(self, part: str) -> int:
        """Return the General MIDI program (0-based) of the part ``part``: its override or its stand-in."""
        return int(self.gm_programs.get(part, INSTRUMENTS[part]))


@dataclass(frozen=True, slots=True)
class MixSettings:
    """The mix and its delivery loudness: the ``[mix]`` table.

    Gains are in dB; the duck depths are the gain (<= 0 dB) of what dips.

    Parameters
    ----------
    loudness : str
        ``streaming`` (-14 LUFS, -1 dBTP), ``ebu-r128`` (-23 LUFS, -1 dBTP), ``atsc``
        (-24 LKFS, -2 dBTP), or a number of LUFS in [-60, -5] such as ``"-16"`` (-1 dBTP).
    true_peak_db : float
        Ceiling override, dBTP in [-12, 0]; 0 keeps the loudness target's own ceiling.
    dialogue_gain_db, music_gain_db, effects_gain_db : float
        Bus levels before the loudness gain, dB in [-60, 12].
    duck_depth_db : float
        Music gain under speech, dB in [-40, 0].
    duck_beds_depth_db : float
        Effect-bed gain under speech, dB in [-40, 0].
    duck_attack_ms, duck_release_ms, duck_hold_ms : float
        Time constant into the dip (ms, 1..2000), out of it (ms, 10..10000), and how long
        the dip stays after the speech ends (ms, 0..5000).
    impact_duck_db : float
        Further music gain under the biggest impacts, dB in [-24, 0] (0: off).
    impact_duck_ms : float
        How long after each biggest impact the music stays down (ms, 0..5000).
    impact_min_intensity : float
        Hit cues at least this intense (0..1) on a cut, impact or flash are the biggest impacts.
    limiter_release_ms : float
        Recovery time constant of the true-peak limiter (ms, 1..1000).
    limiter_lookahead_ms : float
        How long before a peak the limiter's gain starts to fall (ms, 0.1..20).

    Example
    -------
    >>> MixSettings(loudness="ebu-r128", duck_depth_db=-12).duck_depth_db
    -12.0
    """

    loudness: str = field(
        default="streaming",
        metadata=_spec(
            "string",
            "delivery loudness: streaming, ebu-r128, atsc, or LUFS as a number",
            pattern=r"streaming|ebu-r128|atsc|-(([5-9]|[1-5][0-9])(\.[0-9]+)?|60(\.0+)?)",
            pattern_doc="streaming, ebu-r128, atsc or LUFS from -60 to -5 such as -16",
        ),
    )
    true_peak_db: float = field(
        default=0.0,
        metadata=_spec(
            "number", "true-peak ceiling; 0 keeps the loudness target's own", unit="dBTP", low=-12, high=0
        ),
    )
    dialogue_gain_db: float = field(
        default=0.0,
        metadata=_spec("number", "level of the cut's own audio", unit="dB", low=-60, high=12),
    )
    music_gain_db: float = field(
        default=0.0, metadata=_spec("number", "level of the music bus", unit="dB", low=-60, high=12)
    )
    effects_gain_db: float = field(
        default=0.0, metadata=_spec("number", "level of the effects bus", unit="dB", low=-60, high=12)
    )
    duck_depth_db: float = field(
        default=-9.0,
        metadata=_spec("number", "music gain under speech in the cut's audio", unit="dB", low=-40, high=0),
    )
    duck_beds_depth_db: float = field(
        default=-6.0,
        metadata=_spec(
            "number", "effect-bed gain under speech in the cut's audio", unit="dB", low=-40, high=0
        ),
    )
    duck_attack_ms: float = field(
        default=20.0,
        metadata=_spec("number", "time constant of the dip under speech", unit="ms", low=1, high=2000),
    )
    duck_release_ms: float = field(
        default=350.0,
        metadata=_spec("number", "time constant of the recovery after a dip", unit="ms", low=10, high=10000),
    )
    duck_hold_ms: float = field(
        default=150.0,
        metadata=_spec("number", "the dip stays this long after speech ends", unit="ms", low=0, high=5000),
    )
    impact_duck_db: float = field(
        default=-3.0,
        metadata=_spec(
            "number", "further music gain under the biggest impacts (0: off)", unit="dB", low=-24, high=0
        ),
    )
    impact_duck_ms: float = field(
        default=250.0,
        metadata=_spec(
            "number", "music stays down this long after each biggest impact", unit="ms", low=0, high=5000
        ),
    )
    impact_min_intensity: float = field(
        default=0.85,
        metadata=_spec(
            "number",
            "hit cues at least this intense (0..1) on a cut or impact are the biggest",
            low=0,
            high=1,
        ),
    )
    limiter_release_ms: float = field(
        default=50.0,
        metadata=_spec(
            "number", "recovery time constant of the true-peak limiter", unit="ms", low=1, high=1000
        ),
    )
    limiter_lookahead_ms: float = field(
        default=1.5,
        metadata=_spec(
            "number", "the limiter's gain starts to fall this long before a peak", unit="ms", low=0.1, high=20
        ),
    )

    def __post_init__(self) -> None:
        _post_init(self, "mix settings")


SCHEMA_SPEC = FieldSpec(
    "integer", "preset schema version, first in the file", pattern_doc=str(SCHEMA_VERSION), required=True
)
"""The rule of the top-level ``schema`` key (checked by the loader: it must equal :data:`SCHEMA_VERSION`)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A preset: a named pass of settings for the stages (spotting, sfx, tempo, music, mix).

    Parameters
    ----------
    name : str
        Preset name, ``^[a-z][a-z0-9_-]*$`` (``"battle"``, ``"cavalry-charge"``).
    description : str
        One line for ``sonics presets list``.
    source : str
        Where it was read from (a file path, or ``"<name> (built-in)"``), for messages;
        not part of equality.
    spotting : SpottingSettings
        The ``[spotting]`` table.
    sfx : SfxSettings
        The ``[sfx]`` table and its layers.
    tempo, music, mix : TempoSettings, MusicSettings, MixSettings
        The ``[tempo]``, ``[music]`` and ``[mix]`` tables.

    Example
    -------
    >>> Preset("quiet", "nothing at all").sfx.layers
    ()
    """

    name: str = field(
        metadata=_spec(
            "string",
            "preset name",
            pattern=r"[a-z][a-z0-9_-]*",
            pattern_doc="lower-case letters, digits, _ and -, starting with a letter",
            required=True,
        )
    )
    description: str = field(
        default="",
        metadata=_spec(
            "string", "one line for `sonics presets list`", pattern=r"[^\n\r]*", pattern_doc="one line"
        ),
    )
    source: str = field(default="", compare=False)
    spotting: SpottingSettings = field(
        default_factory=SpottingSettings, metadata=_spec("table", "how picture events become hits")
    )
    sfx: SfxSettings = field(default_factory=SfxSettings, metadata=_spec("table", "the SFX pass"))
    tempo: TempoSettings = field(
        default_factory=TempoSettings, metadata=_spec("table", "the score's tempo and tempo map")
    )
    music: MusicSettings = field(
        default_factory=MusicSettings, metadata=_spec("table", "the generated score")
    )
    mix: MixSettings = field(default_factory=MixSettings, metadata=_spec("table", "the mix and its loudness"))

    def __post_init__(self) -> None:
        _post_init(self, f"preset {self.name!r}")
        for name, cls in STAGE_TABLES.items():
            if not isinstance(getattr(self, name), cls):
                raise ParameterError(
                    f"preset {name} must be {cls.__name__}, got {type(getattr(self, name)).__name__}"
                )


STAGE_TABLES: Mapping[str, type] = MappingProxyType(
    {
        "spotting": SpottingSettings,
        "sfx": SfxSettings,
        "tempo": TempoSettings,
        "music": MusicSettings,
        "mix": MixSettings,
    }
)
"""The preset's stage tables in file order: ``[spotting]``, ``[sfx]``, ``[tempo]``, ``[music]``, ``[mix]``."""


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One row of the preset reference: a key, its type, range, unit, default and meaning.

    Parameters
    ----------
    key : str
        Key path, e.g. ``"spotting.swell_threshold"`` or ``"sfx.layers[].gain_db"``.
    type : str
        ``"float"``, ``"int"``, ``"string"``, ``"list of string"``, ``"[min, max]"``, ``"table"``.
    range : str
        Allowed values (``"[-60, 0] dB"``, ``"auto|onset|peak"``), or ``""``.
    unit : str
        Unit of numbers, or ``""``.
    default : str
        The default as TOML, or ``"required"``.
    doc : str
        What it does.
    spec : FieldSpec
        The rule itself.
    """

    key: str
    type: str
    range: str
    unit: str
    default: str
    doc: str
    spec: FieldSpec


def _default_text(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return "required"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else repr(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{}"
    return repr(value)


def _info(key: str, spec: FieldSpec, default: str) -> FieldInfo:
    return FieldInfo(key, _KIND_NAMES[spec.kind], spec.range_text, spec.unit, default, spec.doc, spec)


def _rows(cls: type, prefix: str) -> list[FieldInfo]:
    rows = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("spec")
        if spec is None or spec.kind in ("table", "layers"):
            continue
        rows.append(_info(prefix + f.name, spec, _default_text(f)))
    return rows


def describe_fields() -> tuple[FieldInfo, ...]:
    """Return every key a schema-1 preset may hold, in file order.

    Returns
    -------
    tuple of FieldInfo
        From ``schema``, ``name`` and ``description`` through ``spotting.*`` and
        ``sfx.premix_peak_db`` to every ``sfx.layers[].*`` key.

    Example
    -------
    >>> [r for r in describe_fields() if r.key == "sfx.layers[].gain_db"][0].range
    '[-60, 0] dB'
    """
    rows = [_info("schema", SCHEMA_SPEC, "required")]
    rows += _rows(Preset, "")
    rows += _rows(SpottingSettings, "spotting.")
    rows += _rows(SfxSettings, "sfx.")
    rows += _rows(LayerSettings, "sfx.layers[].")
    for name, cls in STAGE_TABLES.items():
        if name not in ("spotting", "sfx"):
            rows += _rows(cls, f"{name}.")
    return tuple(rows)
