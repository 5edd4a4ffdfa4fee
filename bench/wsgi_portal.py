"""The portal as gunicorn serves it in the benchmarks (DATABASE_URL from the environment)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_worker_app  # noqa: E402

app = create_worker_app({"SESSION_COOKIE_SECURE": False})  # as `portal serve` makes each worker's app
