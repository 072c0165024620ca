"""The installed `hikeshi` script runs, and answers --help without loading Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_console_script_prints_help() -> None:
    script = Path(sys.executable).parent / "hikeshi"
    assert script.exists(), "install the project (pip install -e .) to get the script"
    # S603: the command is this virtualenv's own script with fixed arguments.
    done = subprocess.run(  # noqa: S603
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    commands = ("serve", "init", "config", "user", "incident", "action", "timeline", "audit")
    for command in (*commands, "checklist", "guidance"):
        assert command in done.stdout


def test_help_does_not_load_django() -> None:
    probe = (
        "import sys; from hikeshi.cli import main; sys.argv = ['hikeshi', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "sys.exit(1 if loaded else 0)"
    )
    # S603: runs this interpreter on a fixed probe.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
