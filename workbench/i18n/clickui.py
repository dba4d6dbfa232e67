"""Typer's and click's own words (Usage, Options, errors) from the workbench catalogue.

Typer vendors its click (``typer._click``) with fixed English strings and no gettext, so the
supported hooks are used instead of patching text: typer's documented ``rich_utils`` constants
(panel titles, "[default: …]", the "Try … --help" hint), the command classes typer lets an
app choose (``typer.Typer(cls=…)``, ``app.command(cls=…)``) for the usage line, the help
option and usage errors, and the click attributes ``options_metavar``/``subcommand_metavar``/
``metavar``. Usage errors are rebuilt from their structure (the option, the parameter, its
type), not from their English text; the few plain ``UsageError`` texts of the vendored click
are matched against ``click_messages.yaml`` (its msgids), the way a gettext catalogue would.

Help texts live in the catalogue too: ``cmd.<command path>.help`` for a command and
``cmd.<command path>.<param>`` (else ``opt.<param>``) for its options, applied to the click
tree by :func:`localize` each run, so ``--lang`` and ``WORKBENCH_LANG`` take effect at once.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from difflib import get_close_matches
from functools import cache
from typing import Any

import typer
from typer import rich_utils
from typer._click import exceptions as click_errors
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption, _TyperParameter

from workbench.i18n import has, language, set_language, t
from workbench.i18n.msgids import translate_text

# typer.rich_utils constant → catalogue key (the constants are read each time help is drawn)
_RICH_CONSTANTS = {
    "ARGUMENTS_PANEL_TITLE": "click.arguments",
    "OPTIONS_PANEL_TITLE": "click.options",
    "COMMANDS_PANEL_TITLE": "click.commands",
    "ERRORS_PANEL_TITLE": "click.error",
    "ABORTED_TEXT": "click.aborted",
    "RICH_HELP": "click.try_help",
    "DEFAULT_STRING": "click.default",
    "ENVVAR_STRING": "click.envvar",
    "REQUIRED_LONG_STRING": "click.required",
    "DEPRECATED_STRING": "click.deprecated",
}
_TYPE_WORD = re.compile(r"[A-Za-z_]+")


def localize(command: Any, path: str = "app") -> None:
    """Set the help texts, metavars and typer's panel words of the whole tree to the language."""
    for constant, key in _RICH_CONSTANTS.items():
        setattr(rich_utils, constant, t(key))
    _localize_command(command, path)


def _localize_command(command: Any, path: str) -> None:
    command.help = t(f"cmd.{path}.help")
    command.short_help = None
    command.options_metavar = t("click.options_metavar")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = t("click.subcommand_metavar")
    for param in command.params:
        key = f"cmd.{path}.{param.name}"
        param.help = t(key if has(key) else f"opt.{param.name}")
        if isinstance(param, TyperArgument):
            param.metavar = t(f"metavar.{param.name}")
    for name, sub in getattr(command, "commands", {}).items():
        _localize_command(sub, name if path == "app" else f"{path}.{name}")


def type_words(text: str) -> str:
    """'<list[str]>' → '<多个文本>': typer's type labels in the catalogue's words."""
    if language() == "en":
        return text
    return _TYPE_WORD.sub(lambda m: t(f"types.{m.group(0)}") if has(f"types.{m.group(0)}") else m.group(0),
                          text).replace("[", "").replace("]", "")


@cache
def _install_type_words() -> None:
    # The type column of typer's help ("<int>") has no hook: wrap the method that draws it
    # (arguments and options each have their own).
    for cls in (TyperArgument, TyperOption):
        original = cls.display_type_rich

        def display_type_rich(self: _TyperParameter, ctx: Any, _original: Any = original) -> str | None:
            shown = _original(self, ctx)
            return type_words(shown) if shown else shown

        cls.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _ours(message: str) -> bool:
    """Already the catalogue's (any CJK character): a message our own code raised."""
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in message)


def _hint(param: Any) -> str:
    return param.get_error_hint() if param is not None else ""


def translate(error: click_errors.ClickException) -> click_errors.ClickException:
    """The same error (same exit code, same context) worded from the catalogue."""
    if language() == "en" or isinstance(error, click_errors.NoArgsIsHelpError):
        return error
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click_errors.NoSuchOption):
        message = t("click.no_such_option", name=error.option_name)
        if error.possibilities:
            message += t("click.possible_options", names=", ".join(sorted(error.possibilities)))
    elif isinstance(error, click_errors.MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param is not None else "parameter")
        key = f"click.missing_{kind}" if has(f"click.missing_{kind}") else "click.missing_parameter"
        message = t(key, name=_hint(error.param))
    elif isinstance(error, click_errors.BadParameter):
        param = error.param
        name = _hint(param) or error.param_hint or ""
        if _ours(error.message):
            message = t("click.invalid_value", name=name, reason=error.message)
        else:
            shown = param.display_type(ctx) if isinstance(param, _TyperParameter) and ctx else ""
            message = t("click.bad_value", name=name, expected=type_words(shown).strip("<>"))
    elif isinstance(error, click_errors.UsageError) and not _ours(error.message):
        message = translate_text(error.message, "click")
    else:
        return error
    new = click_errors.UsageError(message, ctx)
    new.exit_code = error.exit_code
    return new


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except click_errors.ClickException as error:
        new = translate(error)
        if new is error:
            raise
        raise new from None


class _Words:
    """What both command classes share: the usage line's prefix and the --help option's text."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("click.usage"))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("click.help_option")
        return option


class Command(_Words, TyperCommand):
    pass


class Group(_Words, TyperGroup):
    """The root group localises the tree before it parses anything (``--help`` is eager)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            _install_type_words()
            set_language(None)  # each run starts from WORKBENCH_LANG (tests run many in one process)
            localize(self)
        with translated_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with translated_errors():
            return super().invoke(ctx)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError:
            if language() == "en" or not args:
                raise
            message = t("click.no_such_command", name=args[0])
            if matches := get_close_matches(args[0], list(self.commands)):
                message += t("click.did_you_mean", names="、".join(matches))
            raise click_errors.UsageError(message, ctx) from None


def lang_callback(ctx: typer.Context, value: str | None) -> str | None:
    """``--lang``: eager, so a later ``--help`` is already drawn in the chosen language."""
    if value is None or ctx.resilient_parsing:
        return value
    try:
        set_language(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    localize(ctx.find_root().command)
    return value
