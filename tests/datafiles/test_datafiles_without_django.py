"""The data-file packages are plain Python: importing every module loads no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hikeshi

PACKAGES = ("datafiles", "guidance")


def _modules() -> list[str]:
    root = Path(hikeshi.__file__).parent
    return sorted(
        f"hikeshi.{package}.{path.stem}"
        for package in PACKAGES
        for path in (root / package).glob("*.py")
        if path.stem != "__init__"
    )


def test_every_module_is_found() -> None:
    modules = _modules()
    assert {"hikeshi.datafiles.loading", "hikeshi.datafiles.text"} <= set(modules)
    assert "hikeshi.guidance.knowledge" in modules


def test_importing_datafiles_and_guidance_loads_no_django() -> None:
    probe = (
        "import importlib, sys\n"
        f"for name in {_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "print(' '.join(loaded))\n"
        "sys.exit(3 if loaded else 0)"
    )
    # S603: runs this interpreter on a fixed probe.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
