"""`hikeshi guidance …`: export the guidance data and check an edited copy of it.

Plain Python: these commands never set up Django, so they work without a database.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hikeshi.cli.errors import CliError, reports_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from hikeshi.guidance.knowledge import KnowledgeBase

app = typer.Typer(
    help="Export the guidance data (JPCERT/CC, IPA) and check an edited copy.",
    no_args_is_help=True,
)

# ActionRecord.checklist_item_ref holds a checklist key; a longer key would not fit.
KEY_LIMIT = 100


class GuidanceFormat(StrEnum):
    """The file formats of a guidance export."""

    JSON = "json"
    CSV = "csv"
    MD = "md"


class Language(StrEnum):
    """The languages the guidance is written in (Japanese is the source)."""

    JA = "ja"
    EN = "en"


@app.command("export")
@reports_errors
def export_guidance(
    export_format: Annotated[
        GuidanceFormat,
        typer.Option(
            "--format",
            help="json: the whole knowledge base; csv: the 75 matrix items, one row each; "
            "md: a readable document of the matrix, its rules and the incident types.",
        ),
    ],
    language: Annotated[
        Language | None,
        typer.Option("--lang", help="Language of the md document (default ja)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(dir_okay=False, writable=True, help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Write the guidance (matrix, procedures, flow, cases, contacts) as JSON, CSV or Markdown."""
    from hikeshi.datafiles.loading import DataFileError
    from hikeshi.guidance.export import export
    from hikeshi.guidance.knowledge import knowledge_base

    if language is not None and export_format is not GuidanceFormat.MD:
        typer.echo(
            f"Note: --lang only changes the md document; {export_format.value} carries both "
            "languages.",
            err=True,
        )
    try:
        kb = knowledge_base()
    except DataFileError as error:
        first = error.problems[0]
        raise CliError(
            f"the packaged guidance data is broken ({first}); `hikeshi guidance check` lists "
            "every problem"
        ) from None
    text = export(kb, export_format.value, (language or Language.JA).value)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        # newline="": the text already ends its lines with \n, CSV rows included.
        with output.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise CliError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(
        f"Wrote the guidance ({len(kb.matrix.items)} matrix items) as {export_format.value} "
        f"to {output}",
        err=True,
    )


def _loaders() -> list[Callable[[Path], object]]:
    """Return the loader of each guidance file, in the order the knowledge base reads them."""
    from hikeshi.guidance.cases import load_cases
    from hikeshi.guidance.consultation import load_consultation
    from hikeshi.guidance.contacts import load_contacts
    from hikeshi.guidance.flow import load_flow
    from hikeshi.guidance.incident_types import load_incident_types
    from hikeshi.guidance.matrix import load_matrix
    from hikeshi.guidance.procedures import load_procedures

    return [
        load_matrix,
        load_procedures,
        load_flow,
        load_cases,
        load_consultation,
        load_contacts,
        load_incident_types,
    ]


def _file_problems(data_dir: Path) -> list[str]:
    """Return the problems of each file on its own, so that one broken file hides no other."""
    from hikeshi.datafiles.loading import DataFileError

    problems: list[str] = []
    for load in _loaders():
        try:
            load(data_dir)
        except DataFileError as error:
            problems += error.problems
    return problems


def _checklist_problems(kb: KnowledgeBase) -> list[str]:
    """Return what would stop a checklist being generated or recorded from this data."""
    from hikeshi.guidance.checklist import checklist_steps

    problems: list[str] = []
    for incident_type in kb.incident_types.incident_types:
        code = incident_type.code.value
        try:
            steps = checklist_steps(kb, [code])
        except (KeyError, ValueError) as error:
            missing = error.args[0] if error.args else error
            problems.append(
                f"incident_types.yaml: entry code={code}: its checklist cannot be generated: "
                f"no entry {str(missing)!r} in the data"
            )
            continue
        problems += [
            f"checklist key {step.key!r} (incident type {code}) is {len(step.key)} characters; "
            f"at most {KEY_LIMIT} fit in an action record: shorten the entry's id"
            for step in steps
            if len(step.key) > KEY_LIMIT
        ]
    return sorted(set(problems), key=problems.index)


def _summary(kb: KnowledgeBase) -> str:
    from hikeshi.guidance.checklist import catalogue

    counts = [
        (len(kb.matrix.items), "matrix items"),
        (len(kb.matrix.targets), "targets"),
        (len(list(kb.procedures.steps())), "SME guide steps"),
        (len(list(kb.flow.entries())), "handling-flow entries"),
        (len(kb.cases.first_response.cases), "first-response cases"),
        (len(kb.consultation.questions), "consultation questions"),
        (len(kb.consultation.outcomes), "outcomes"),
        (len(kb.contacts.contacts), "contacts"),
        (len(kb.incident_types.incident_types), "incident types"),
        (len(catalogue(kb)), "checklist steps in all"),
    ]
    return ", ".join(f"{count} {what}" for count, what in counts)


@app.command("check")
@reports_errors
def check_guidance(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            file_okay=False,
            help="The guidance data folder to check (default: the packaged one). It holds "
            "matrix/, procedures.yaml, flow.yaml, cases.yaml, consultation.yaml, "
            "contacts.yaml and incident_types.yaml.",
        ),
    ] = None,
) -> None:
    """Validate the guidance data; list every problem as file, entry and field (exit 1)."""
    from hikeshi.datafiles.loading import DataFileError
    from hikeshi.guidance.knowledge import DATA_DIR, knowledge_base, load_knowledge_base

    folder = data_dir or DATA_DIR
    try:
        # The packaged data may already be loaded in this process; a copy is read afresh.
        kb = knowledge_base() if data_dir is None else load_knowledge_base(folder)
    except DataFileError as error:
        # Loading stops at the first broken file; go through them one by one to list all.
        # With every file sound on its own, the error was a cross-reference between files.
        problems = _file_problems(folder) or list(error.problems)
    else:
        problems = _checklist_problems(kb)
    if problems:
        for problem in problems:
            typer.echo(f"Error: {problem}", err=True)
        plural = "" if len(problems) == 1 else "s"
        again = "hikeshi guidance check" + (f" --data-dir {data_dir}" if data_dir else "")
        typer.echo(
            f"{len(problems)} problem{plural} in {folder}; fix them and run `{again}` again.",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"OK: {_summary(kb)} ({folder}).")
