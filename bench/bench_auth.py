"""What HTTP Basic costs the server, and what an anonymous flood of it costs now.

Three runs of ``GET /api/v1/instructors/me`` through the test client, on an
SQLite file, with the default rate limits on:

- ``basic (first)``: one request with the right password, hashed (scrypt);
- ``basic (remembered)``: the same credentials again, answered from the
  remembered check without hashing;
- ``basic (wrong, flood)``: wrong passwords from one address until the
  address is refused (429) without hashing; figures split the answers
  that were hashed (401) from those refused before hashing (429).

Prints each p50 and the ratio of a remembered check to a hashed one.

    python bench/bench_auth.py [--repeat N]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from service.app import create_app
from service.extensions import db
from service.models import Base
from service.usecases import create_instructor

PASSWORD = "correct horse battery staple"


def header(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def timed(client, headers) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    status = client.get("/api/v1/instructors/me", headers=headers).status_code
    return (time.perf_counter() - began) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = sa.create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "AUTO_MIGRATE": False,
                          "RATE_LIMIT_LOGIN_FAILURES": "100000/minute"})
        with app.app_context():
            create_instructor(db.session, "bench@example.org", "Bench", PASSWORD)
        client = app.test_client()
        first = [timed(client, header("bench@example.org", PASSWORD))[0]]
        remembered = [timed(client, header("bench@example.org", PASSWORD))[0] for _ in range(args.repeat)]
        flood = [timed(client, header(f"x{i}@example.org", "wrong")) for i in range(args.repeat)]
        with app.app_context():
            db.engine.dispose()
    hashed = [ms for ms, status in flood if status == 401]
    refused = [ms for ms, status in flood if status == 429]
    rows = [("basic (first, hashed)", first), ("basic (remembered)", remembered),
            ("basic (wrong, hashed: 401)", hashed), ("basic (wrong, refused: 429)", refused)]
    print(f"{'request':32} {'n':>4} {'p50 ms':>8}")
    for name, values in rows:
        p50 = f"{statistics.median(values):8.2f}" if values else "       -"
        print(f"{name:32} {len(values):4d} {p50}")
    if remembered and first:
        print(f"remembered / hashed: {statistics.median(remembered) / first[0]:.3f}")


if __name__ == "__main__":
    main()
