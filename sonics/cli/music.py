"""``sonics music``: the tempo map, the score, its MIDI and its synthesised parts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sonics.cli._app import _common_flags, _Context, _fail, _preset_arg, _progress, cli

_FILE = click.Path(path_type=Path)


@cli.command()
@click.argument("input_path", metavar="INPUT", type=_FILE)
@click.option(
    "-o", "--output", "out_dir", type=_FILE, required=True, help="Output folder (made whole at the end)."
)
@click.option("--preset", default="battle", show_default=True, help="A built-in preset name or a TOML file.")
@click.option("--bpm", type=float, help="Start the tempo map from this tempo.")
@click.option("--tempo", type=_FILE, help="An edited tempo.json to write the score on.")
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Variation seed."
)
@click.option("--soundfont", type=_FILE, help="Render the parts with this SoundFont (needs fluidsynth).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a preset value.")
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@_common_flags
@click.pass_obj
def music(
    ctx: _Context,
    input_path: Path,
    out_dir: Path,
    preset: str,
    bpm: float | None,
    tempo: Path | None,
    seed: int,
    soundfont: Path | None,
    overrides: tuple[str, ...],
    force: bool,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Write a score to INPUT's tempo map and render it: tempo.json, music.mid, stems, music.wav.

    The parts are rendered by the built-in synthesiser (taiko, strings, brass, choir, pad,
    koto, pipa, dizi), or with --soundfont by a SoundFont renderer.
    """
    from sonics.export.files import check_output_folder
    from sonics.pipeline.music import music_pass, write_music_pass

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    try:
        check_output_folder(out_dir, force=force)
        with _progress(ctx) as report:
            result = music_pass(
                input_path,
                preset=_preset_arg(preset),
                seed=seed,
                bpm=bpm,
                tempo=tempo,
                overrides=overrides,
                on_progress=report,
            )
            write_music_pass(result, out_dir, force=force, soundfont=soundfont, on_progress=report)
    except Exception as exc:
        _fail(ctx, exc)
    for warning in (*result.analysis.warnings, *result.tempo_map.warnings):
        click.echo(f"sonics: warning: {warning}", err=True)
    if not ctx.quiet or sys.stdout.isatty():
        score = result.score
        segments = score.tempo_map.segments
        click.echo(
            f"{input_path}: {score.key} {score.mode}, {len(score.parts)} parts, "
            f"{sum(len(p.notes) for p in score.parts)} notes, {segments[0].bpm:.2f} BPM "
            f"({len(segments)} tempo segments) -> {out_dir}"
        )
