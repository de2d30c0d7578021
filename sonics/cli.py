"""The ``sonics`` command line. It parses options, calls the library, and reports; no logic of its own.

Exit codes: 0 on success, 1 on a sonics error (one line on stderr, no traceback; add
``--debug`` to see it), 2 on a usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from sonics import __version__
from sonics.core.errors import ExportError, SonicsError
from sonics.core.timebase import parse_frame_rate

__all__ = ["main"]


class _Context:
    def __init__(self, quiet: bool, debug: bool) -> None:
        self.quiet = quiet or not sys.stderr.isatty()
        self.debug = debug


@contextmanager
def _progress(ctx: _Context) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """Yield a progress callback that drives a rich progress bar, or None when quiet."""
    if ctx.quiet:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=None,
    ) as bar:

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=max(total or 0, done) or None)

        yield update


def _fail(ctx: _Context, exc: BaseException) -> None:
    if ctx.debug:
        raise exc
    if isinstance(exc, SonicsError):
        message = str(exc).strip() or type(exc).__name__
    else:
        message = f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"
    click.echo(f"sonics: error: {message}", err=True)
    sys.exit(1)


def _frame_rate_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Fraction | None:
    if value is None:
        return None
    try:
        return parse_frame_rate(value)
    except SonicsError as exc:
        raise click.BadParameter(str(exc)) from None


def _common_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Accept -q and --debug after the command name too (``sonics analyze IN -q``)."""
    command = click.option("--debug", "debug_here", is_flag=True, help="Show an error's traceback.")(command)
    return click.option("-q", "--quiet", "quiet_here", is_flag=True, help="No progress bars.")(command)


def _check_targets(inputs: list[Path], outputs: list[Path]) -> None:
    """Refuse before any work: an output over an input, two outputs on one file, a missing folder."""
    resolved = [o.resolve() for o in outputs]
    for output, target in zip(outputs, resolved, strict=True):
        if any(target == i.resolve() for i in inputs):
            raise ExportError(f"{output}: refusing to overwrite an input")
        if resolved.count(target) > 1:
            raise ExportError(f"{output}: the same file is given for two outputs")
        if not output.parent.resolve().is_dir():
            raise ExportError(f"{output}: the folder {output.parent} does not exist")
        if output.is_dir():
            raise ExportError(f"{output}: is a folder; give a file name")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sonics")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.pass_context
def cli(click_ctx: click.Context, quiet: bool, debug: bool) -> None:
    """Score picture: find cuts and motion, and build the sound that hits them."""
    click_ctx.obj = _Context(quiet, debug)


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("analysis.json"),
    show_default=True,
    help="Where to write the analysis JSON.",
)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Also write a timecoded cut list.")
@click.option("--media", type=click.Path(path_type=Path), help="The video a timeline INPUT plays.")
@click.option(
    "--fps",
    "frame_rate",
    callback=_frame_rate_option,
    help="Frame rate of the timeline, e.g. 24000/1001 (default: as stated).",
)
@click.option("--no-audio", is_flag=True, help="Skip the analysis of the cut's own audio.")
@_common_flags
@click.pass_obj
def analyze(
    ctx: _Context,
    input_path: Path,
    output: Path,
    csv_path: Path | None,
    media: Path | None,
    frame_rate: Fraction | None,
    no_audio: bool,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Find the cuts, transitions, motion, impacts, flashes and shots of INPUT.

    INPUT is a video file, a timeline (.otio, FCP 7 .xml, CMX 3600 .edl), or an analysis.json.
    """
    from sonics.export.cutlist import cut_list_csv
    from sonics.export.files import json_bytes, write_files_atomic
    from sonics.pipeline import analyze as run_analysis

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    outputs = [output] if csv_path is None else [output, csv_path]
    try:
        _check_targets([input_path] + ([media] if media is not None else []), outputs)
        with _progress(ctx) as report:
            result = run_analysis(
                input_path, media=media, frame_rate=frame_rate, audio=not no_audio, on_progress=report
            )
        _check_targets([Path(result.picture.path)], outputs)
        files = {output: json_bytes(result.to_dict())}
        if csv_path is not None:
            files[csv_path] = cut_list_csv(result).encode("utf-8")
        write_files_atomic(files)
    except Exception as exc:
        _fail(ctx, exc)
    for warning in result.warnings:
        click.echo(f"sonics: warning: {warning}", err=True)
    if not ctx.quiet or sys.stdout.isatty():
        n_hard = sum(1 for c in result.cuts if not c.is_gradual)
        click.echo(
            f"{input_path}: {result.picture.n_frames} frames, {n_hard} cuts, "
            f"{len(result.cuts) - n_hard} gradual transitions, {len(result.impacts)} impacts, "
            f"{len(result.flashes)} flashes -> {output}"
        )


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--preset", default="battle", show_default=True, help="A built-in preset name or a TOML file.")
@click.option("--min-bpm", type=float, help="Slowest tempo searched (default: the preset's).")
@click.option("--max-bpm", type=float, help="Fastest tempo searched (default: the preset's).")
@click.option("--step", "step_bpm", type=float, help="Tempo step of the search, BPM (default: the preset's).")
@click.option("--tolerance-frames", type=float, help="A hit this close to a grid line is caught, frames.")
@click.option("--meter", help="The meter, e.g. 4/4, 3/4 or 6/8 (default: the preset's).")
@click.option(
    "--subdivision", type=int, help="Grid lines per beat, 2 for eighth notes (default: the preset's)."
)
@click.option("--bpm", "start_bpm", type=float, help="Start the tempo map from this tempo.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a preset value.")
@click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True, help="Rows of the table.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for scripts).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write tempo.json here.")
@_common_flags
@click.pass_obj
def tempo(
    ctx: _Context,
    input_path: Path,
    preset: str,
    min_bpm: float | None,
    max_bpm: float | None,
    step_bpm: float | None,
    tolerance_frames: float | None,
    meter: str | None,
    subdivision: int | None,
    start_bpm: float | None,
    overrides: tuple[str, ...],
    top: int,
    as_json: bool,
    output: Path | None,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Rank the tempos that catch INPUT's hits and build a tempo map that lands them.

    INPUT is a video file, a timeline (.otio, FCP 7 .xml, CMX 3600 .edl), or an analysis.json.
    Prints the Find Tempo table and the map (or JSON with --json); -o writes tempo.json.
    """
    import json

    from sonics.export.tempo import tempo_report
    from sonics.pipeline.tempo import tempo_pass, write_tempo_pass

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    options = {
        "min_bpm": min_bpm,
        "max_bpm": max_bpm,
        "step_bpm": step_bpm,
        "tolerance_frames": tolerance_frames,
        "subdivision": subdivision,
        "meter": meter,
    }
    changes = {key: value for key, value in options.items() if value is not None}
    try:
        if output is not None:
            _check_targets([input_path], [output])
        with _progress(ctx) as report:
            result = tempo_pass(
                input_path,
                preset=_preset_arg(preset),
                overrides=overrides,
                tempo=changes,
                bpm=start_bpm,
                top=top,
                on_progress=report,
            )
        if output is not None:
            _check_targets([Path(result.analysis.picture.path)], [output])
            write_tempo_pass(result, output)
    except Exception as exc:
        _fail(ctx, exc)
    for warning in (*result.analysis.warnings, *result.tempo_map.warnings):
        click.echo(f"sonics: warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
        return
    picture = result.analysis.picture
    n_sync = sum(1 for h in result.tempo_map.hits if h.sync)
    title = (
        f"{input_path}: {len(result.hits)} hits ({n_sync} sync) over {picture.duration_s:.2f} s at "
        f"{float(picture.frame_rate):g} fps; preset {result.preset.name}"
    )
    click.echo(
        tempo_report(
            result.candidates,
            result.tempo_map,
            duration_s=picture.duration_s,
            tolerance_frames=result.settings.tolerance_frames,
            title=title,
        ),
        nl=False,
    )
    if output is not None:
        click.echo(f"-> {output}")


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder."
)
@click.option("--preset", default="battle", show_default=True, help="A built-in preset name or a TOML file.")
@click.option(
    "--samples", type=click.Path(path_type=Path), help="Your sample folder (files found by UCS CatID)."
)
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Variation seed."
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a preset value.")
@click.option("--force", is_flag=True, help="Start the folder's effects afresh instead of adding this pass.")
@_common_flags
@click.pass_obj
def sfx(
    ctx: _Context,
    input_path: Path,
    out_dir: Path,
    preset: str,
    samples: Path | None,
    seed: int,
    overrides: tuple[str, ...],
    force: bool,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Spot INPUT and render one preset's sound-effect layers into a folder.

    Writes stems/sfx_<layer>.wav, cues.json, cues.csv, sfx_plan.json and the sfx.wav premix.
    A pass adds or replaces only its own layers' stems; other passes in the folder stay.
    """
    from sonics.pipeline.sfx import sfx_pass, write_sfx_pass

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    try:
        inputs = [input_path]
        if out_dir.resolve() == input_path.resolve() or input_path.resolve().is_relative_to(
            (out_dir / "stems").resolve()
        ):
            raise ExportError(f"{out_dir}: refusing to write over the input")
        if not out_dir.parent.resolve().is_dir():
            raise ExportError(f"{out_dir}: the folder {out_dir.parent} does not exist")
        with _progress(ctx) as report:
            result = sfx_pass(
                input_path,
                preset=_preset_arg(preset),
                samples=samples,
                seed=seed,
                overrides=overrides,
                on_progress=report,
            )
            write_analysis = (out_dir / "analysis.json").resolve() not in {p.resolve() for p in inputs}
            write_sfx_pass(result, out_dir, force=force, write_analysis=write_analysis, on_progress=report)
    except Exception as exc:
        _fail(ctx, exc)
    for warning in result.analysis.warnings:
        click.echo(f"sonics: warning: {warning}", err=True)
    if not ctx.quiet or sys.stdout.isatty():
        click.echo(
            f"{input_path}: {result.preset.name}: {len(result.sheet.cues)} cues on "
            f"{len(result.plan.layers)} layers -> {out_dir}"
        )


def _preset_arg(value: str) -> str | Path:
    """Return a file path for a value ending in .toml or holding a folder; a built-in name otherwise."""
    path = Path(value)
    return path if path.suffix.lower() == ".toml" or len(path.parts) > 1 else value


@cli.command("fit-music")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("track", metavar="TRACK", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder."
)
@click.option("--preset", default="battle", show_default=True, help="A built-in preset name or a TOML file.")
@click.option(
    "--max-stretch-pct",
    type=click.FloatRange(0.0, 25.0),
    default=6.0,
    show_default=True,
    help="Largest change of speed anywhere, in percent.",
)
@click.option(
    "--tolerance-frames",
    type=click.FloatRange(0.0),
    default=1.0,
    show_default=True,
    help="A hit is on a beat within this many frames.",
)
@click.option("--meter", type=click.IntRange(2, 12), help="Beats per bar of the track (default: found).")
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Variation seed."
)
@click.option("--force", is_flag=True, help="Replace the fit files already in the folder.")
@_common_flags
@click.pass_obj
def fit_music(
    ctx: _Context,
    input_path: Path,
    track: Path,
    out_dir: Path,
    preset: str,
    max_stretch_pct: float,
    tolerance_frames: float,
    meter: int | None,
    seed: int,
    force: bool,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Fit the music TRACK to the picture INPUT: its length to the sample, its beats on the cuts.

    Writes music.wav (48 kHz stereo, the picture's length), fit.json (the edit list and a
    before/after count of hits on beats) and tempo.json (the fitted track's tempo map).
    """
    from sonics.pipeline.fit_music import fit_music as run_fit
    from sonics.pipeline.fit_music import write_fit_music

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    try:
        if out_dir.resolve() in (input_path.resolve(), track.resolve()):
            raise ExportError(f"{out_dir}: refusing to write over an input")
        if not out_dir.parent.resolve().is_dir():
            raise ExportError(f"{out_dir}: the folder {out_dir.parent} does not exist")
        with _progress(ctx) as report:
            result = run_fit(
                input_path,
                track,
                preset=_preset_arg(preset),
                max_stretch_pct=max_stretch_pct,
                tolerance_frames=tolerance_frames,
                meter=meter,
                seed=seed,
                on_progress=report,
            )
        write_analysis = (out_dir / "analysis.json").resolve() != input_path.resolve()
        write_fit_music(result, out_dir, force=force, write_analysis=write_analysis)
    except Exception as exc:
        _fail(ctx, exc)
    for warning in result.warnings:
        click.echo(f"sonics: warning: {warning}", err=True)
    for note in result.notes:
        click.echo(f"sonics: note: {note}", err=True)
    if not ctx.quiet or sys.stdout.isatty():
        info = result.fitted.edit.info
        before, after = result.report.get("before", {}), result.report.get("after", {})
        click.echo(
            f"{track}: {info.get('track', {}).get('bpm', 0):.2f} BPM, fitted by {result.fitted.edit.mode} "
            f"in {len(result.fitted.edit.pieces)} piece(s) -> {out_dir}"
        )
        for name, row in (("before", before), ("after", after)):
            if row.get("n_hits"):
                click.echo(
                    f"  hits on beats {name:>6}: {100 * row['share_on_beat']:5.1f} % of the weight, "
                    f"on downbeats {100 * row['share_on_downbeat']:5.1f} %, sync hits on beats "
                    f"{row['n_sync_on_beat']}/{row['n_sync']}"
                )


@cli.group()
def presets() -> None:
    """List, show and check presets."""


@presets.command("list")
@click.pass_obj
def presets_list(ctx: _Context) -> None:
    """List the built-in presets."""
    from sonics.presets import builtin_presets, load_preset

    try:
        for name in builtin_presets():
            click.echo(f"{name:<16} {load_preset(name).description}")
    except Exception as exc:
        _fail(ctx, exc)


@presets.command("show")
@click.argument("name")
@click.pass_obj
def presets_show(ctx: _Context, name: str) -> None:
    """Print a preset (a built-in NAME or a TOML file) as TOML."""
    from sonics.presets import load_preset, preset_to_toml

    try:
        click.echo(preset_to_toml(load_preset(_preset_arg(name))), nl=False)
    except Exception as exc:
        _fail(ctx, exc)


@presets.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_obj
def presets_check(ctx: _Context, path: Path) -> None:
    """Check a preset file; list every problem with its key path."""
    from sonics.pipeline.presets import check_preset

    try:
        preset = check_preset(_preset_arg(str(path)))
    except Exception as exc:
        _fail(ctx, exc)
    click.echo(f"{path}: ok ({len(preset.sfx.layers)} layers)")


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``sonics`` console script)."""
    try:
        cli.main(args=argv, prog_name="sonics", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("sonics: interrupted", err=True)
        sys.exit(130)
