"""``sonics sfx``: one preset's sound-effects pass into a folder."""

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
