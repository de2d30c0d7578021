"""``sonics fit-music``: fit the user's own track to the picture."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sonics.cli._app import (
    _common_flags,
    _Context,
    _fail,
    _preset_arg,
    _progress,
    cli,
)
from sonics.core.errors import ExportError


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
