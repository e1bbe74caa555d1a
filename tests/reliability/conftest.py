"""Hypothesis profiles of the reliability suite (README "Reliability suite").

CI (default): few examples per target, derandomized so that every run tries the
same inputs, no example database (nothing is written into the repository).

Long mode, for a thorough run before a release (10,000 cases per fuzz target on
each pin, fresh random inputs each run; it takes the better part of an hour):

    SIPGATE_FUZZ_LONG=1 SIPGATE_SKIP_E2E=1 scripts/test tests/reliability -k fuzz --no-cov

(``--no-cov``: a part of the suite cannot meet the coverage gate; ``SIPGATE_SKIP_E2E``:
the end-to-end run does not fuzz.) A failure prints the ``@reproduce_failure`` blob.
"""

import hashlib
import os
from pathlib import Path
import tempfile

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

LONG = os.environ.get("SIPGATE_FUZZ_LONG", "").strip().lower() not in ("", "0", "false", "no")
LONG_EXAMPLES = 10_000

# Hypothesis caches Unicode tables and constants; keep them out of the repository, in a
# folder of this clone's own (named after its path), so that two clones can test at once.
_CLONE = hashlib.sha256(str(Path(__file__).resolve().parents[2]).encode()).hexdigest()[:12]
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / f"sipgate-ha-hypothesis-{_CLONE}"
set_hypothesis_home_dir(HYPOTHESIS_HOME)

_COMMON = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    # Tests run Home Assistant fixtures once for all their examples (a fresh
    # instance per example would cost seconds); each example resets what it checks.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("sipgate-ci", derandomize=True, **_COMMON)
settings.register_profile("sipgate-long", derandomize=False, **_COMMON)
settings.load_profile("sipgate-long" if LONG else "sipgate-ci")


def examples(ci: int) -> int:
    """How many examples a fuzz target tries: ``ci`` by default, 10,000 in long mode."""
    return max(ci, LONG_EXAMPLES) if LONG else ci
