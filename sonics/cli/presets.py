"""``sonics presets``: list, show and check presets."""

from __future__ import annotations

from pathlib import Path

import click

from sonics.cli._app import (
    _Context,
    _fail,
    _preset_arg,
    cli,
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
