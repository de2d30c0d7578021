"""``sonics analyze``: the picture analysis of a video or a timeline."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import click

from sonics.cli._app import (
    _check_targets,
    _common_flags,
    _Context,
    _fail,
    _frame_rate_option,
    _progress,
    cli,
)


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
