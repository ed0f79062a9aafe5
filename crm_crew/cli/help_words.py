"""Help placeholders in words: `RUN_ID`, `INPUT...`, `N`, `FILE`, `jsonl|csv`, never typer's `<list[Path]>`,
`{run_id}` or `<int range>`.

`use_words(app)` gives every command and group of a Typer app these classes. A parameter with its own
`metavar` keeps it; any other gets one: a choice lists its values, an integer is `N`, anything else is its
name in capitals (`--run-id RUN_ID`, `run_id` -> `RUN_ID`). Error messages name arguments the same way.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import Context, HelpFormatter, Parameter
except ImportError:  # pragma: no cover
    from click import Context, HelpFormatter, Parameter  # type: ignore[assignment]


def placeholder(param: Parameter) -> str | None:
    """The word a parameter's value is shown as (None: a flag, which takes no value)."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return None
    if param.metavar:
        return param.metavar
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and descriptor.is_choice and descriptor.choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in descriptor.choices)
    if descriptor is not None and descriptor.annotation is int:
        return "N"
    longest = max(param.opts, key=len).lstrip("-/") if param.opts else param.name or "VALUE"
    return longest.replace("-", "_").upper()


def _name_values(params: list[Parameter]) -> None:
    for param in params:
        word = placeholder(param)
        if word is not None:
            param.metavar = word


def _usage(param: Parameter) -> str:
    word = param.metavar or placeholder(param) or ""
    if param.nargs != 1:
        word += "..."
    return word if param.required else f"[{word}]"


def _format_params(command: Any, ctx: Context, formatter: HelpFormatter) -> None:
    arguments, options = [], []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        if isinstance(param, TyperArgument):
            arguments.append((param.metavar + ("..." if param.nargs != 1 else ""), record[1]))
        else:
            options.append(record)
    for title, rows in (("Arguments", arguments), ("Options", options)):
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def _usage_pieces(command: Any, ctx: Context) -> list[str]:
    pieces = [command.options_metavar] if command.options_metavar else []
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument):
            pieces.append(_usage(param))
        else:
            pieces.extend(param.get_usage_pieces(ctx))
    return pieces


class WordsCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return _usage_pieces(self, ctx)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_params(self, ctx, formatter)


class WordsGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        return [*_usage_pieces(self, ctx), self.subcommand_metavar]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)


def use_words(app: typer.Typer) -> None:
    """Every command and group of `app` (and of its sub-apps) shows placeholders in words."""
    app.info.cls = WordsGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):     # typer's own class; a command's own subclass stays
            command.cls = WordsCommand
    for group in app.registered_groups:
        group.cls = WordsGroup
        if group.typer_instance is not None:
            use_words(group.typer_instance)
