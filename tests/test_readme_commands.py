"""Every command in README.md and experiments/README.md runs as written.

The commands are extracted from the documents' fenced shell blocks (and
their inline ``.venv/bin/…`` and ``make …`` code). Then:

1. **Extraction** (always, fast): each command must use a program the set-up
   installs (``make``, ``.venv/bin/factions``, ``.venv/bin/python``,
   ``.venv/bin/solara``: a bare ``factions`` or ``python`` fails on a fresh
   clone); name a make target, a ``factions`` subcommand and options that
   exist (parsed by the real argument parser); name input files that exist
   (scenarios, experiments, ballot files, scripts, modules); and report only
   on folders that an earlier command in the document writes.
2. **Cheap commands run for real**, as written, in a temporary copy of the
   repository (scenarios/ and experiments/ copied, .venv linked), after a
   shortened ``make run`` (the set-up): ``factions run`` and ``sweep`` whose
   size (months × scale × runs) is small, ``factions count``, ``factions
   report`` of a folder a real run wrote, ``python -c``.
3. **The rest are checked for parse/--help only**: scripts are run with
   ``--help`` and every option the document gives them must be in it; long
   runs, servers (``viz``, ``solara``), ``make`` and remote Dask schedulers
   are not run. ``FACTIONS_README_FULL=1`` runs every command that can run
   here (all but servers, ``make`` and remote schedulers), in document order.

Python blocks are compiled and their imports resolved; the experiment
example (TOML) in experiments/README.md must be a valid experiment.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from model.cli.main import build_parser
from model.scenario.bundled import is_bundled, load_named
from model.scenario.schema import Scenario
from model.scenario.schema import load_scenario as _load_scenario
from model.study.experiment import Experiment, parse_experiment
from model.study.experiment import load_experiment as _load_experiment
from tests.conftest import REPO

DOCS = [REPO / "README.md", REPO / "experiments" / "README.md"]
SHELL_LANGUAGES = {"", "sh", "bash", "shell", "console"}
PROGRAMS = {"make", ".venv/bin/factions", ".venv/bin/python", ".venv/bin/solara"}
CHEAP = 5.0  # months × scale × runs: 60 months at scale 0.05 (a few seconds) is 3
FULL = os.environ.get("FACTIONS_README_FULL") == "1"
# What `make run` writes (Makefile: OUT ?= results/default); the set-up makes it.
SET_UP_OUTPUT = "results/default"


@dataclass
class Command:
    """One command from a document."""

    doc: str
    line: int
    text: str
    argv: list[str]
    inline: bool = False  # from inline code (`...`), possibly with [placeholders]
    outputs: list[str] = field(default_factory=list)
    real: bool = False  # cheap: run for real

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}: `{self.text}`"


# --- extraction ----------------------------------------------------------------------------


def fenced_blocks(path: Path) -> list[tuple[str, int, str]]:
    """(language, first line number, text) of every fenced code block."""
    blocks, lang, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = re.match(r"^\s*```\s*([\w+-]*)\s*$", line)
        if fence and lang is None:
            lang, start, body = fence.group(1).lower(), number + 1, []
        elif fence:
            blocks.append((lang, start, "\n".join(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    assert lang is None, f"{path.name}: a code block opened at line {start - 1} is never closed"
    return blocks


def doc_name(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else path.name


def shell_commands(path: Path) -> list[Command]:
    """The commands of a document's shell blocks, in order, comments removed."""
    commands = []
    doc = doc_name(path)
    for lang, start, text in fenced_blocks(path):
        if lang not in SHELL_LANGUAGES:
            continue
        pending, first = "", 0
        for offset, line in enumerate(text.splitlines()):
            if not pending:
                first = start + offset
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            line, pending = pending + line, ""
            argv = shlex.split(line, comments=True)
            if argv:
                shown = shlex.join(argv)
                commands.append(Command(doc, first, shown, argv))
    return commands


def inline_commands(path: Path) -> list[Command]:
    """Inline code that is a command (`.venv/bin/...`, `make ...`), placeholders removed."""
    commands = []
    doc = doc_name(path)
    text = path.read_text(encoding="utf-8")
    in_block = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            continue
        for span in re.findall(r"`([^`]+)`", line):
            if not re.match(r"(\.venv/bin/\w|make \w)", span):
                continue
            bare = re.sub(r"\[[^\]]*\]", " ", span)  # [--quick] [--workers N]: optional
            try:
                argv = shlex.split(bare)
            except ValueError:  # a span broken over two lines: checked where it is whole
                continue
            # Placeholders make it a template, to check but not to run.
            text = span if bare == span else shlex.join(argv)
            commands.append(Command(doc, number, text, argv, inline=bare != span))
    return commands


@cache
def all_commands() -> list[Command]:
    """Every command of both documents (shell blocks first, then inline code), checked."""
    commands = []
    for path in DOCS:
        found = shell_commands(path)
        assert found, f"{path.name}: no commands found (has the layout changed?)"
        produced = {SET_UP_OUTPUT}
        real_outputs = {SET_UP_OUTPUT}  # the set-up's run is made (shortened) before any test
        for command in [*found, *inline_commands(path)]:
            check_command(command, produced)
            command.real = not command.inline and is_cheap(command, real_outputs)
            produced.update(command.outputs)
            if command.real:
                real_outputs.update(command.outputs)
            commands.append(command)
    return commands


@cache
def load_scenario(path: Path) -> Scenario:
    return _load_scenario(path)


def run_scenario(text: Path) -> Scenario:
    """What `factions run` loads: a file (relative to the repository) or a bundled name."""
    path = REPO / text
    return load_scenario(path) if path.is_file() else load_named(str(text))


@cache
def load_experiment(path: Path) -> Experiment:
    return _load_experiment(path)


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"(?m)^([A-Za-z][\w-]*):", text))


def parse_factions(argv: list[str]) -> argparse.Namespace:
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            return build_parser().parse_args(argv)
    except SystemExit:
        raise AssertionError(err.getvalue().strip().splitlines()[-1]) from None


def check_command(command: Command, produced: set[str]) -> None:
    """Fail unless the command's program, subcommand, options and input files exist."""
    program, args = command.argv[0], command.argv[1:]
    assert program in PROGRAMS, (
        f"{command.where}: {program!r} is not installed by the set-up on a fresh clone; "
        f"use one of {sorted(PROGRAMS)}"
    )
    if program == "make":
        missing = [t for t in args if not t.startswith("-") and t not in make_targets()]
        assert not missing, f"{command.where}: no make target {missing}"
        if "run" in args:
            command.outputs.append(SET_UP_OUTPUT)
    elif program == ".venv/bin/factions":
        try:
            ns = parse_factions(args)
        except AssertionError as err:
            raise AssertionError(f"{command.where}: {err}") from None
        check_factions(command, ns, produced)
    elif program == ".venv/bin/python":
        check_python(command, args)
    else:  # solara
        assert args[:1] == ["run"] and len(args) >= 2, (
            f"{command.where}: expected `solara run FILE`"
        )
        assert (REPO / args[1]).is_file(), f"{command.where}: {args[1]} does not exist"


def check_factions(command: Command, ns: argparse.Namespace, produced: set[str]) -> None:
    where = command.where
    if ns.command == "run":
        assert (REPO / ns.scenario).is_file() or is_bundled(str(ns.scenario)), (
            f"{where}: {ns.scenario} does not exist (nor is it a bundled scenario)"
        )
        scenario = run_scenario(ns.scenario)
        out = ns.out or Path("results") / f"{scenario.scenario.name}-seed{ns.seed}"
        if not ns.plan:  # --plan writes nothing
            command.outputs.append(Path(out).as_posix())
    elif ns.command == "count":
        assert (REPO / ns.ballots).is_file(), f"{where}: {ns.ballots} does not exist"
    elif ns.command == "sweep":
        assert (REPO / ns.experiment).is_file(), f"{where}: {ns.experiment} does not exist"
        from model.cli.sweep import _slug

        experiment = load_experiment(REPO / ns.experiment)
        out = ns.out or Path("results") / _slug(experiment.name)
        command.outputs.append(Path(out).as_posix())
    elif ns.command == "report":
        folder = Path(ns.folder).as_posix()
        assert folder in produced, (
            f"{where}: no command before it in {command.doc} (or `make run`) writes {folder}; "
            f"those written are {sorted(produced)}"
        )
    elif ns.command == "validate-history":
        from model.cli.validate import DEFAULT_OUT, QUICK_OUT

        out = ns.out or (QUICK_OUT if ns.quick else DEFAULT_OUT)
        command.outputs.append(Path(out).as_posix())
    elif ns.command == "calibrate":
        if ns.apply is not None:
            assert Path(ns.apply).as_posix() in produced, (
                f"{where}: no command before it in {command.doc} writes {ns.apply}"
            )
        else:
            command.outputs.append(Path(ns.out or "results/calibration").as_posix())


def check_python(command: Command, args: list[str]) -> None:
    where = command.where
    assert args, f"{where}: python with nothing to run"
    if args[0] == "-c":
        compile(args[1], f"{command.doc}:{command.line}", "exec")
        for module in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", args[1], re.M):
            assert importlib.util.find_spec(module), f"{where}: no module {module}"
    elif args[0] == "-m":
        assert importlib.util.find_spec(args[1]), f"{where}: no module {args[1]}"
    else:
        script = REPO / args[0]
        assert script.is_file(), f"{where}: {args[0]} does not exist"
        # A script given --out writes there (experiments/fit_point.py's folder is
        # then applied with `factions calibrate --apply`).
        if "--out" in args[:-1]:
            command.outputs.append(Path(args[args.index("--out") + 1]).as_posix())


def is_cheap(command: Command, real_outputs: set[str]) -> bool:
    """Whether the command is quick enough to run for real in every test run."""
    program, args = command.argv[0], command.argv[1:]
    if program == ".venv/bin/python":
        return args[0] == "-c"
    if program != ".venv/bin/factions":
        return False
    ns = parse_factions(args)
    if ns.command == "count":
        return True
    if ns.command == "run":
        if ns.plan:
            return True
        scenario = run_scenario(ns.scenario)
        months = ns.months or scenario.calendar.months
        return months * (ns.scale or scenario.party.scale) <= CHEAP
    if ns.command == "sweep":
        experiment = load_experiment(REPO / ns.experiment)
        size = experiment.n_runs * experiment.base.calendar.months * experiment.base.party.scale
        return ns.scheduler in (None, "local") and size <= CHEAP
    if ns.command == "report":
        return Path(ns.folder).as_posix() in real_outputs
    return False


def runnable_here(command: Command) -> bool:
    """Everything but servers, make (these tests run under it) and remote schedulers."""
    program, args = command.argv[0], command.argv[1:]
    if program in ("make", ".venv/bin/solara") or any("://" in a for a in args):
        return False
    return not (program == ".venv/bin/factions" and args[:1] == ["viz"])


# --- the tests -------------------------------------------------------------------------------


def test_every_documented_command_names_things_that_exist():
    commands = all_commands()
    assert {c.doc for c in commands} == {p.relative_to(REPO).as_posix() for p in DOCS}
    # The set-up's two commands come first.
    assert [c.text for c in commands[:2]] == ["make run", "make test"]


def test_the_extraction_fails_on_a_wrong_command(tmp_path: Path):
    # The checks above can fail: a bare program, a subcommand, an option, a file
    # and a report folder that nothing writes are each caught.
    doc = tmp_path / "DOC.md"
    doc.write_text(
        "```bash\n"
        "factions run scenarios/default.toml\n"
        ".venv/bin/factions runn scenarios/default.toml\n"
        ".venv/bin/factions run scenarios/default.toml --sead 2\n"
        ".venv/bin/factions run scenarios/nowhere.toml\n"
        ".venv/bin/factions report results/default-seed1\n"
        ".venv/bin/python experiments/nowhere.py --quick\n"
        "make runn\n"
        "```\n"
    )
    found = shell_commands(doc)
    assert len(found) == 7
    expected = [
        "not installed by the set-up",
        "invalid choice: 'runn'",
        "unrecognized arguments: --sead 2",
        "scenarios/nowhere.toml does not exist",
        "no command before it",
        "experiments/nowhere.py does not exist",
        "no make target ['runn']",
    ]
    for command, message in zip(found, expected, strict=True):
        with pytest.raises(AssertionError, match=re.escape(message)):
            check_command(command, {SET_UP_OUTPUT})


def test_python_examples_compile_and_import():
    checked = 0
    for path in DOCS:
        for lang, start, text in fenced_blocks(path):
            if lang != "python":
                continue
            compile(text, f"{path.name}:{start}", "exec")
            for module, names in re.findall(
                r"^\s*from\s+([\w.]+)\s+import\s+([\w, ]+)", text, re.M
            ):
                loaded = importlib.import_module(module)
                for name in (n.strip() for n in names.split(",")):
                    assert hasattr(loaded, name), f"{path.name}:{start}: {module} has no {name}"
            checked += 1
    assert checked >= 2


def test_the_example_experiment_file_is_valid():
    blocks = [text for lang, _, text in fenced_blocks(DOCS[1]) if lang == "toml"]
    assert len(blocks) == 1
    experiment = parse_experiment(
        tomllib.loads(blocks[0]), source="experiments/README.md", base_dir=REPO / "experiments"
    )
    assert experiment.n_runs > 0


# Runs each script's --help in one process (the scripts share their heavy imports).
HELP_ALL = """
import contextlib, io, json, os, runpy, sys
out = {}
for script in sys.argv[1:]:
    sys.argv = [script, "--help"]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))  # as `python script` does
    text = io.StringIO()
    try:
        with contextlib.redirect_stdout(text):
            runpy.run_path(script, run_name="__main__")
    except SystemExit as exit:
        out[script] = text.getvalue() if exit.code in (0, None) else f"exit {exit.code}"
    else:
        out[script] = "no --help: the script ran"
print(json.dumps(out))
"""


def scripts_help(scripts: list[str]) -> dict[str, str]:
    proc = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-c", HELP_ALL, *scripts],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"--help of {scripts} failed:\n{proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_scripts_accept_the_documented_options():
    scripts = [
        c
        for c in all_commands()
        if c.argv[0] == ".venv/bin/python" and c.argv[1] not in ("-c", "-m")
    ]
    helps = scripts_help(sorted({c.argv[1] for c in scripts}))
    assert len(helps) >= 4
    for command in scripts:
        text = helps[command.argv[1]]
        assert text.startswith("usage:"), f"{command.where}: --help gave {text[:200]!r}"
        for option in (a.split("=")[0] for a in command.argv[2:] if a.startswith("--")):
            assert re.search(rf"(^|[\s,\[]){re.escape(option)}\b", text), (
                f"{command.where}: {command.argv[1]} --help does not offer {option}"
            )


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A copy of the repository's inputs with the set-up done (a shortened `make run`)."""
    root = tmp_path_factory.mktemp("clone")
    for folder in ("scenarios", "experiments"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "results").mkdir()
    # `make run` as the set-up does it, shortened: the same scenario and folder.
    setup = (
        f".venv/bin/factions run scenarios/default.toml --seed 1 --months 12 --scale 0.02 "
        f"--out {SET_UP_OUTPUT} --no-figures"
    )
    run_in(root, setup)
    return root


def run_in(root: Path, text: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    proc = subprocess.run(
        ["bash", "-c", text], cwd=root, capture_output=True, text=True, timeout=1800, env=env
    )
    assert proc.returncode == 0, (
        f"`{text}` exited with {proc.returncode}:\n{proc.stdout[-1500:]}\n{proc.stderr[-3000:]}"
    )
    return proc


def set_aside_for_an_alternative(root: Path, command: Command, k: int) -> None:
    """Before a fresh sweep whose folder an earlier command wrote, move that folder aside.

    The README lists ways to run one experiment ("one of these": serially, a
    process pool, Dask), each into the same folder, and a fresh sweep
    refuses a folder that holds one (by design). Run in document order, each
    alternative starts from no folder, as a reader who picked it would; the
    earlier folder is kept beside it, not deleted.
    """
    if command.argv[1:2] != ["sweep"]:
        return
    ns = parse_factions(command.argv[1:])
    if ns.resume or ns.overwrite:
        return
    from model.cli.sweep import _slug

    out = root / (ns.out or Path("results") / _slug(load_experiment(REPO / ns.experiment).name))
    if out.exists():
        out.rename(out.with_name(f"{out.name}.alternative-{k}"))


def test_cheap_commands_run_as_written(clone: Path):
    chosen = [c for c in all_commands() if c.real or (FULL and runnable_here(c))]
    if FULL:  # in document order: a sweep, then its --resume, then its report
        for k, command in enumerate(chosen):
            set_aside_for_an_alternative(clone, command, k)
            run_in(clone, command.text)
    else:
        # Cheap commands write different folders: run them two at a time, the
        # reports (of folders the others write) last.
        reports = [c for c in chosen if c.argv[1:2] == ["report"]]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for group in ([c for c in chosen if c not in reports], reports):
                list(pool.map(lambda c: run_in(clone, c.text), group))
    ran = [c.text for c in chosen]
    # The README's run, count and report examples and the outcomes one-liner.
    kinds = {tuple(shlex.split(t)[:2]) for t in ran}
    assert {
        (".venv/bin/factions", "run"),
        (".venv/bin/factions", "count"),
        (".venv/bin/factions", "report"),
        (".venv/bin/python", "-c"),
    } <= kinds, ran
    assert (clone / "results" / "mine" / "series.csv").is_file()
    assert (clone / SET_UP_OUTPUT / "report.md").is_file()
