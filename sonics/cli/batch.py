"""``sonics batch``: score a whole series on Dask, one task per episode."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sonics.cli._app import _common_flags, _Context, _fail, _progress, cli

_FILE = click.Path(path_type=Path)


@cli.command()
@click.argument("inputs", metavar="INPUTS...", nargs=-1, required=True, type=_FILE)
@click.option(
    "-o", "--output", "out_root", type=_FILE, required=True, help="Output root: one folder per episode."
)
@click.option("--preset", default="battle", show_default=True, help="Preset of episodes a list gives none.")
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=0,
    show_default=True,
    help="Seed of episodes a list gives none.",
)
@click.option(
    "--workers", type=click.IntRange(1, 256), default=2, show_default=True, help="Local worker processes."
)
@click.option("--scheduler", metavar="ADDRESS", help="A running Dask scheduler, e.g. tcp://host:8786.")
@click.option("--force", is_flag=True, help="Score every episode, even those unchanged since their last run.")
@click.option(
    "--chunk-s",
    type=click.FloatRange(min=1.0),
    help="Analyse the picture of longer videos in time chunks of this many seconds, one task each.",
)
@_common_flags
@click.pass_obj
def batch(
    ctx: _Context,
    inputs: tuple[Path, ...],
    out_root: Path,
    preset: str,
    seed: int,
    workers: int,
    scheduler: str | None,
    force: bool,
    chunk_s: float | None,
    quiet_here: bool,
    debug_here: bool,
) -> None:
    """Score every episode of INPUTS (videos, folders, .txt or .csv lists) into OUTROOT/<episode>/.

    A CSV list has a header row with a path column and optionally name, preset, seed and set
    (overrides separated by ;). Episodes unchanged since their last run are skipped. The summary
    goes to OUTROOT/batch.json and batch.csv; the exit code is 1 when an episode failed.
    """
    from sonics.pipeline.batch import batch as run_batch

    ctx = _Context(ctx.quiet or quiet_here, ctx.debug or debug_here)
    try:
        with _progress(ctx) as report:
            result = run_batch(
                inputs,
                out_root=out_root,
                preset=preset,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                force=force,
                chunk_s=chunk_s,
                on_progress=report,
            )
    except Exception as exc:
        _fail(ctx, exc)
    for episode in result.episodes:
        if episode.status == "failed":
            click.echo(f"sonics: error: {episode.name}: {episode.error}", err=True)
    counts = result.to_dict()["counts"]
    if not ctx.quiet or sys.stdout.isatty():
        click.echo(
            f"{len(result.episodes)} episodes: {counts['done']} scored, {counts['skipped']} unchanged, "
            f"{counts['failed']} failed -> {out_root / 'batch.csv'}"
        )
    if result.n_failed:
        sys.exit(1)
