"""The command group and what every command shares: progress bars, errors, common options."""

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


def _preset_arg(value: str) -> str | Path:
    """Return a file path for a value ending in .toml or holding a folder; a built-in name otherwise."""
    path = Path(value)
    return path if path.suffix.lower() == ".toml" or len(path.parts) > 1 else value
