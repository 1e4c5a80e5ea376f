"""Every command README.md, deploy/README.md and docs/*.md show is one the code accepts as written.

A line of a code block (with or without a `$ ` prompt) or a code span in prose that runs `tdkt`, `make`,
`python -m` or `pytest` is parsed by the program's own parser, without running it: `tdkt` and the
typer entry points through click (a code span without options may name a command without its
arguments: only the command path is checked there), `bench` through its argparse parsers, `make` against the
Makefile's targets and what each target runs. A renamed option, command or target fails here.
"""

import importlib.util
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.exceptions import Exit, TyperException
from typer.main import get_command

import bench.__main__ as bench_main
from bench import annual as bench_annual
from bench import candidates as bench_candidates
from bench import console as bench_console
from bench import soak as bench_soak
from deploy import admin, demo, launcher
from deploy.cli import app

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROGRAMS = (".venv/bin/tdkt", "tdkt", "make", ".venv/bin/python", "python", ".venv/bin/pytest", "pytest")
# Placeholders the docs use for a value the reader chooses.
PLACEHOLDERS = {"N": "20", "<code>": "VN-2025-07-01", "FILE": "don_vi.xlsx"}


def _words(line: str) -> list[str]:
    """The command's words, or none if the line does not run one of PROGRAMS (output, prose)."""
    line = line.strip().removeprefix("$ ")
    plain = [w for w in line.split() if not re.fullmatch(r"[A-Z_]+=\S*", w)]
    if not plain or plain[0] not in PROGRAMS:
        return []
    words = shlex.split(line, comments=True)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):  # VAR=value before the program
        words.pop(0)
    if words and words[-1] == "&":
        words.pop()
    return [PLACEHOLDERS.get(w, w) for w in words]


def shown_commands() -> list[tuple[str, list[str], bool]]:
    """(where, words, whole) for each command shown; `whole` is False for a code span in prose
    that names a command without options (`tdkt agencies register`): only its path is checked."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        where = doc.relative_to(ROOT).as_posix()
        blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
        for block in blocks:
            for line in block.replace("\\\n", " ").splitlines():
                words = _words(line)
                if words:
                    found.append((where, words, True))
        prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
        for span in re.findall(r"`([^`]+)`", prose):
            words = _words(" ".join(span.split()))
            if words and words[1:] not in ([], ["…"]):
                found.append((where, words, any(w.startswith("--") for w in words)))
    return found


COMMANDS = shown_commands()


def parse_click(command: Any, name: str, args: list[str], *, whole: bool) -> None:
    """Parse `args` as typer would before running `command`, down to the last sub-command."""
    ctx = command.make_context(name, list(args), resilient_parsing=not whole)
    while hasattr(command, "resolve_command"):  # a group
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            return
        sub_name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None and sub_name is not None, f"{name}: no such command"
        command, ctx = sub, sub.make_context(sub_name, rest, parent=ctx, resilient_parsing=not whole)


def typer_function(function: Callable[..., Any]) -> Any:
    one = typer.Typer()
    one.command()(function)
    return get_command(one)


def parse_bench(args: list[str]) -> None:
    parsers = {"reorg": bench_main.parse_reorg, "lifecycle": bench_main.parse_lifecycle, "console": bench_console.parse,
               "candidates": bench_candidates.parse, "soak": bench_soak.parse,
               "annual": bench_annual.parse}  # fmt: skip
    if args[:1] and args[0] in parsers:
        parsers[args[0]](args[1:])
    else:
        bench_main.parse(args)


def parse_module(module: str, args: list[str], *, whole: bool) -> None:
    entry = {"deploy.launcher": launcher.main, "deploy.demo": demo.main, "deploy.admin": admin.main}
    if module == "bench":
        parse_bench(args)
    elif module in entry:
        parse_click(typer_function(entry[module]), module, args, whole=whole)
    else:
        assert importlib.util.find_spec(module) is not None, f"no module {module}"


MAKE_RUNS = {"run": "deploy.launcher", "demo": "deploy.demo", "bench": "bench", "soak": "bench soak"}


def check(words: list[str], *, whole: bool) -> None:
    program, args = words[0], words[1:]
    if program.endswith("tdkt"):
        parse_click(get_command(app), "tdkt", args, whole=whole)
    elif program == "make":
        target, *options = args
        makefile = (ROOT / "Makefile").read_text()
        assert re.search(rf"^{re.escape(target)}:", makefile, flags=re.MULTILINE), f"no make target {target}"
        extra = [o.removeprefix("ARGS=") for o in options if o.startswith("ARGS=")]
        assert len(extra) == len(options), f"make {target}: only ARGS=… is passed on, not {options}"
        if target in MAKE_RUNS:
            assert f"-m {MAKE_RUNS[target]} $(ARGS)" in makefile
            module, *first = MAKE_RUNS[target].split()
            parse_module(module, [*first, *(shlex.split(extra[0]) if extra else [])], whole=whole)
    elif program.endswith("pytest"):
        for path in args:
            assert (ROOT / path).exists(), f"no test file {path}"
    else:
        assert args[0] == "-m", f"{words}: python runs modules here"
        parse_module(args[1], args[2:], whole=whole)


def test_the_docs_show_the_commands_people_run_first() -> None:
    shown = " | ".join(" ".join(words) for _, words, _ in COMMANDS)
    for first in ("make run", "make test", "make demo", ".venv/bin/tdkt login", "python -m deploy.admin"):
        assert first in shown


@pytest.mark.parametrize(("where", "words", "whole"), COMMANDS, ids=[" ".join(w)[:70] for _, w, _ in COMMANDS])
def test_a_documented_command_is_accepted_as_written(
    where: str, words: list[str], whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a person types at a prompt: the parse must not wait for it.
    monkeypatch.setenv("TDKT_PASSWORD", "mật khẩu")
    monkeypatch.setenv("BOOTSTRAP_ADMIN_PASSWORD", "mật khẩu")
    try:
        check(words, whole=whole)
    except SystemExit as done:  # --help
        assert done.code == 0, f"{where}: `{' '.join(words)}` exits {done.code}"
    except Exit as done:
        assert done.exit_code == 0, f"{where}: `{' '.join(words)}` exits {done.exit_code}"
    except (TyperException, AssertionError) as err:
        pytest.fail(f"{where}: `{' '.join(words)}` is not accepted: {err}")
