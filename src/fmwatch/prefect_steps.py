"""Prefect pull steps for fmwatch's deployments (prefect.yaml), run by the worker at run time.

Prefect resolves ``{{ $FMWATCH_HOME }}`` in a pull step from the worker's environment when the
flow run starts; when it is not set the template is dropped, and Prefect's own
``set_working_directory`` then fails far from the cause. This step says what is wrong instead.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("flows") / "fmwatch_flows.py"


def set_project_directory(directory: str | None = None) -> dict[str, str]:
    """Change into the fmwatch project directory and return ``{"directory": path}``.

    ``directory`` is FMWATCH_HOME as the worker sees it at run time (prefect.yaml passes
    ``{{ $FMWATCH_HOME }}``); without it, the worker's current directory is used if it is an
    fmwatch checkout. Raises RuntimeError naming what to set when neither holds
    ``flows/fmwatch_flows.py``."""
    candidates = [Path(d) for d in (directory, os.environ.get("FMWATCH_HOME")) if d and "{{" not in d]
    candidates.append(Path.cwd())
    for candidate in candidates:
        if (candidate / MARKER).is_file():
            os.chdir(candidate)
            return {"directory": str(candidate.resolve())}
    tried = ", ".join(str(c) for c in candidates)
    raise RuntimeError(f"fmwatch project directory not found (looked for {MARKER} in: {tried}). Start the worker "
                       "with FMWATCH_HOME set to the fmwatch checkout, e.g. `FMWATCH_HOME=/srv/fmwatch prefect worker "
                       "start --pool fmwatch-pool`, or start it from that directory.")
