"""Print the score of the last ``mutmut run`` (``make mutation``) and its surviving mutants.

The score is mutmut's own (as its ``badge`` command computes it): mutants killed, or stopped by
a timeout, out of those tested. Each survivor is a change to the access policy that no test
notices; ``mutmut show NAME`` prints the change. Exits 1 when a mutant survived.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

STATS = Path("mutants") / "mutmut-cicd-stats.json"


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    subprocess.run([mutmut, "export-cicd-stats"], check=True)  # noqa: S603  # our own venv's mutmut
    stats = json.loads(STATS.read_text(encoding="utf-8"))
    tested = int(stats["total"]) - int(stats["skipped"])
    caught = int(stats["killed"]) + int(stats["timeout"])
    score = 100.0 * caught / tested if tested else 0.0
    print(
        f"mutation score of sharing/policy.py: {score:.1f}% "
        f"({caught} of {tested} mutants killed; {stats['survived']} survived, "
        f"{stats['no_tests']} not reached by any selected test)"
    )
    subprocess.run([mutmut, "results"], check=True)  # noqa: S603  # lists the survivors
    return 0 if int(stats["survived"]) == 0 and int(stats["no_tests"]) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
