"""The `hikeshi` command line: the same services as the web, one module per command group.

Nothing here imports Django at module level: each command sets it up when it needs the
database, so `hikeshi --help` and `hikeshi config` answer at once.
"""

from __future__ import annotations

import typer

from hikeshi.cli import actions, audit, checklist, guidance, incidents, sitelog, timeline, users
from hikeshi.cli import jobs as job_commands
from hikeshi.cli.backup import backup, restore
from hikeshi.cli.configuration import show_config
from hikeshi.cli.init import init
from hikeshi.cli.serve import serve
from hikeshi.cli.worker import worker

app = typer.Typer(
    name="hikeshi",
    help="火消し hikeshi: an incident-response workbench (JPCERT/CC and IPA guidance).",
    no_args_is_help=True,
    add_completion=False,
    # A traceback of an unexpected error must not print local variables (passwords, tokens).
    pretty_exceptions_show_locals=False,
)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("init")(init)
app.command("config")(show_config)
app.command("backup")(backup)
app.command("restore")(restore)
app.add_typer(users.app, name="user")
app.add_typer(incidents.app, name="incident")
app.add_typer(actions.app, name="action")
app.add_typer(timeline.app, name="timeline")
app.add_typer(audit.app, name="audit")
app.add_typer(sitelog.app, name="sitelog")
app.add_typer(checklist.app, name="checklist")
app.add_typer(guidance.app, name="guidance")
app.add_typer(job_commands.app, name="job")


def main() -> None:
    """Run the command line (the `hikeshi` console script)."""
    app()
