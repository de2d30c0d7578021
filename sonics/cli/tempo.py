"""``sonics tempo``: Find Tempo and the tempo map."""

from __future__ import annotations

from pathlib import Path

import click

from sonics.cli._app import (
    _check_targets,
    _common_flags,
    _Context,
    _fail,
    _preset_arg,
    _progress,
    cli,
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
