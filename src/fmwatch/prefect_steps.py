"""Prefect pull steps for fmwatch's deployments (prefect.yaml), run by the worker at run time.

Prefect (3.9) fills ``{{ $FMWATCH_HOME }}`` in prefect.yaml at *deploy* time, from the deploying
shell: the directory is frozen then, and a deployment made without it crashes later, on the
worker, with a FileNotFoundError. This step reads FMWATCH_HOME from the worker's environment
when the run starts, falls back to the value recorded at deploy time and then to the worker's
own directory, and fails at once, saying what to set, when none is an fmwatch checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("flows") / "fmwatch_flows.py"


def set_project_directory(deployed_from: str | None = None) -> dict[str, str]:
    """Change into the fmwatch project directory and return ``{"directory": path}``.

    Tried in order: FMWATCH_HOME in the worker's environment now (run time); ``deployed_from``
    (prefect.yaml passes ``{{ $FMWATCH_HOME }}`` as the deploying shell had it; an unfilled
    template is ignored); the worker's current directory. Raises RuntimeError naming what to set
    when none holds ``flows/fmwatch_flows.py``."""
    candidates = [Path(d) for d in (os.environ.get("FMWATCH_HOME"), deployed_from) if d and "{{" not in d]
    candidates.append(Path.cwd())
    for candidate in candidates:
        if (candidate / MARKER).is_file():
            os.chdir(candidate)
            return {"directory": str(candidate.resolve())}
    tried = ", ".join(str(c) for c in candidates)
    raise RuntimeError(f"fmwatch project directory not found (looked for {MARKER} in: {tried}). Start the worker "
                       "with FMWATCH_HOME set to the fmwatch checkout, e.g. `FMWATCH_HOME=/srv/fmwatch prefect worker "
                       "start --pool fmwatch-pool`, or start it from that directory.")
