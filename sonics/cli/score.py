"""``sonics score``: the main job, every stage into one folder."""

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
@click.option(
    "--loudness",
    help="Delivery loudness: streaming (-14 LUFS), ebu-r128 (-23), atsc (-24) or LUFS such as -16.",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Variation seed."
)
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--samples", type=_FILE, help="Your sample folder for the effects (files found by UCS CatID).")
@click.option("--media", type=_FILE, help="The video a timeline INPUT plays.")
@click.option("--music", "track", type=_FILE, help="Fit this music track instead of the generated score.")
@click.option("--cues", type=_FILE, help="An edited cues.json to use instead of spotting.")
@click.option("--tempo", type=_FILE, help="An edited tempo.json to write the score on.")
@click.option("--soundfont", type=_FILE, help="Render the music with this SoundFont (needs fluidsynth).")
@click.option(
    "--keep-audio", is_flag=True, help="Keep the video's own audio as a second track of scored.mp4."
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a preset value.")
@_common_flags
@click.pass_obj
def score(
    ctx: _Context,
    input_path: Path,
    out_dir: Path,
    preset: str,
    loudness: str | None,
    seed: int,
    force: bool,
    samples: Path | None,
    media: Path | None,
    track: Path | None,
    cues: Path | None,
    tempo: Path | None,
    soundfont: Path | None,
    keep_audio: bool,
    overrides: tuple[str, ...],
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Score INPUT: cuts and motion, effects, tempo-mapped music, the mix and every deliverable.

    INPUT is a video, a timeline (.otio, FCP 7 .xml, .edl) or an analysis.json (the run then
    starts at spotting). OUT gets stems/, mix/, scored.mp4, music.mid, timeline.otio and .xml,
    a REAPER project, the JSON of every stage and report.html.
    """
    from sonics.pipeline.score import score as run_score

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    try:
        with _progress(ctx) as report:
            result = run_score(
                input_path,
                preset=_preset_arg(preset),
                out_dir=out_dir,
                seed=seed,
                samples=samples,
                media=media,
                music=track,
                cues=cues,
                tempo=tempo,
                soundfont=soundfont,
                loudness=loudness,
                keep_original_audio=keep_audio,
                force=force,
                overrides=overrides,
                on_progress=report,
            )
    except Exception as exc:
        _fail(ctx, exc)
    for warning in result.warnings:
        click.echo(f"sonics: warning: {warning}", err=True)
    if not ctx.quiet or sys.stdout.isatty():
        s = result.summary()
        video = next((f for f in result.files if f.stem == "scored"), None)
        loud = "not measured" if s["integrated_lufs"] is None else f"{s['integrated_lufs']:.1f} LUFS"
        click.echo(
            f"{input_path}: {s['duration_s']:.2f} s, {s['n_cuts']} cuts; {s['n_cues']} cues on "
            f"{s['n_sfx_layers']} layers; music {s['music']} at {s['bpm_first']:.2f} BPM "
            f"({s['n_tempo_segments']} tempo segments); mix {loud}, {s['true_peak_dbtp']} dBTP"
        )
        where = f"open {out_dir / 'report.html'}" + (f" and {out_dir / video}" if video else "")
        click.echo(f"-> {out_dir}/  ({where})")
