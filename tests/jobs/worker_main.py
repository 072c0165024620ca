"""`hikeshi` with the test-only job kinds registered: the worker processes the tests start."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

KINDS_MODULE = "hikeshi_test_job_kinds"


def load_test_kinds() -> None:
    """Register the test-only job kinds in this process (once)."""
    if KINDS_MODULE in sys.modules:
        return
    # The kinds' labels are translatable strings: Django's settings must be known first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
    spec = importlib.util.spec_from_file_location(
        KINDS_MODULE, Path(__file__).with_name("kinds.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[KINDS_MODULE] = module
    spec.loader.exec_module(module)


if __name__ == "__main__":
    load_test_kinds()
    from hikeshi.cli import main

    sys.argv[0] = "hikeshi"
    main()
