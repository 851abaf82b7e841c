"""The benchmark behind scripts/bench: the main pages, API endpoints and exports at 1×, 10× (and 100× with
--full) the demo fund, and requests per second under a bounded loopback load with gunicorn.

For each page: SQL statements of one request, median and p95 over repeated requests (in process, the test
client), the ratio of the median to the floor's (the bare layout for the same kind of user, measured in the
same run), the first (uncached) request when it is much slower than the median, and for exports the peak
memory of one request (tracemalloc, the same request that counts its statements); an export kept on disk until
the records change (the IATI file) is timed uncached once more, without tracemalloc, as its first request. The
app's start-up objects are frozen out of the collector's reach first, as gunicorn.conf.py does in each worker,
and the floors are timed again at the end of each size, pooled. At 100× exports are timed twice (pages as often
as at the other sizes): `--full` on built funds takes about 10 minutes.
Then, for each size, gunicorn (gunicorn.conf.py, WEB_WORKERS × WEB_THREADS) serves the fund on a free loopback
port and a fixed number of requests, a few at a time, measure requests per second for the floor, the
transparency page, the summary API and a signed-in list. Scaled funds are built once into instance/bench/
(flask demo scale's code) and reused.
"""

import argparse
import gc
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fundapp import create_app  # noqa: E402
from fundapp.core.edge import transaction  # noqa: E402
from fundapp.core.extensions import db  # noqa: E402
from fundapp.demo.scale import scale_demo  # noqa: E402
from fundapp.demo.services import DEMO_PASSWORD, seed_demo  # noqa: E402
from fundapp.reference.services import load_reference  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.pages import FLOOR, FLOOR_SIGNED_IN, PAGES, SECRETARIAT, Page, add_floor, client_for, counted  # noqa: E402

AUDIT_KEY = "bench-audit-key-0123456789abcdef0123"
#: The pages served under load, with the floor first.
LOADED = [
    FLOOR,
    Page("transparency page", "/transparency/"),
    Page("API summary", "/api/v1/summary", kind="api"),
    Page("donors and agreements (signed in)", "/contributions/donors", SECRETARIAT),
]


def _config(db_file: Path):
    return make_config(
        f"sqlite:///{db_file}",
        AUDIT_HMAC_KEY=AUDIT_KEY,
        AUDIT_ANCHOR_FILE="",
        UPLOAD_FOLDER=str(db_file.parent),
        EXPORT_CACHE_FOLDER=str(db_file.parent / "exports"),
        PUBLIC_FIGURES_CACHE=True,  # as served (the test configuration turns it off)
    )


def build(folder: Path, factor: int, rebuild: bool) -> Path:
    """The demo fund at `factor`×, in folder/fund-<factor>x.sqlite3 (built once, then reused)."""
    target = folder / f"fund-{factor}x.sqlite3"
    if target.exists() and not rebuild:
        app = create_app(_config(target))
        with app.app_context():
            upgrade()  # a fund built by an earlier version keeps its data, its schema brought to head
            db.engine.dispose()
        return target
    demo = folder / "fund-1x.sqlite3"
    if not demo.exists() or rebuild:
        demo.unlink(missing_ok=True)
        app = create_app(_config(demo))
        with app.app_context():
            upgrade()
            load_reference(app.config["REFERENCE_DATA_FILE"])
            with transaction():
                seed_demo()
            db.engine.dispose()
    if factor == 1:
        return demo
    started = time.perf_counter()
    partial = target.with_suffix(".partial")
    shutil.copyfile(demo, partial)
    app = create_app(_config(partial))
    with app.app_context():
        with transaction():
            scale_demo(factor)
        db.engine.dispose()
    partial.rename(target)
    print(f"  built the {factor}x fund in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return target


def measure(db_file: Path, repeats: int, export_repeats: int | None = None) -> dict[str, dict]:
    """label -> statements, times (s), first request (s), status, bytes, peak memory (exports), for the floors
    and every page.

    A page: one request to warm up (its time is kept: with the public cache, the uncached one), one to count
    its statements, then `repeats` timed. An export: one request both counts its statements and measures its
    peak memory (tracemalloc), then `export_repeats` timed (fewer at 100×: a slow export is not run 8 times).
    """
    app = create_app(_config(db_file))
    add_floor(app)
    clients: dict[str | None, object] = {}
    results: dict[str, dict] = {}
    kept_folder = Path(app.config["EXPORT_CACHE_FOLDER"])
    shutil.rmtree(kept_folder, ignore_errors=True)  # a file kept by an earlier run would be served uncomputed
    for email in {page.email for page in [FLOOR, FLOOR_SIGNED_IN, *PAGES]}:
        clients[email] = client_for(app, email)
    # As a gunicorn worker does once it has loaded the app (gunicorn.conf.py): what lives as long as the process
    # leaves the collector's reach, so a full collection walks only the request's objects.
    gc.collect()
    gc.freeze()
    for page in [FLOOR, FLOOR_SIGNED_IN, *PAGES]:
        client = clients[page.email]
        peak = None
        started = time.perf_counter()
        if page.kind == "export":
            tracemalloc.start()
            with counted(app) as statements:
                first = client.get(page.path)
                size = _drain(first)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            first = client.get(page.path)
            size = len(first.get_data())
        first_time = time.perf_counter() - started
        kept = list(kept_folder.glob("*")) if kept_folder.exists() else []
        if kept:  # an export kept on disk until the records change (the IATI file): time it uncached once more,
            for path in kept:  # without tracemalloc's overhead, as its first request
                path.unlink()
            started = time.perf_counter()
            _drain(client.get(page.path))
            first_time = time.perf_counter() - started
        if page.kind != "export":
            with counted(app) as statements:
                client.get(page.path).get_data()
        times = []
        for _ in range(export_repeats if page.kind == "export" and export_repeats else repeats):
            started = time.perf_counter()
            _drain(client.get(page.path))
            times.append(time.perf_counter() - started)
        results[page.label] = {
            "page": page,
            "status": first.status_code,
            "statements": len(statements),
            "times": times,
            "first": first_time,
            "bytes": size,
            "peak": peak,
            "kept": bool(kept),
        }
    # The floors again at the end, their times pooled with the first run's: one noisy moment of a shared machine
    # does not set every ratio of the column.
    for floor in (FLOOR, FLOOR_SIGNED_IN):
        for _ in range(repeats):
            started = time.perf_counter()
            _drain(clients[floor.email].get(floor.path))
            results[floor.label]["times"].append(time.perf_counter() - started)
    gc.unfreeze()
    with app.app_context():
        db.engine.dispose()
    return results


def _drain(response) -> int:
    """Read a response's body as a client would, a chunk at a time, keeping none of it: the size in bytes. (The
    test client's get_data() would hold a streamed export whole, and the peak would measure the client.)"""
    try:
        return sum(len(chunk) for chunk in response.iter_encoded())
    finally:
        response.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load(db_file: Path, requests_per_page: int, concurrency: int) -> dict[str, float]:
    """Requests per second for each LOADED page under gunicorn, `concurrency` clients at a time."""
    port = _free_port()
    env = {
        **os.environ,
        "FUNDAPP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "AUDIT_HMAC_KEY": AUDIT_KEY,
        "AUDIT_ANCHOR_FILE": "",
        "PORT": str(port),
        "WEB_ACCESS_LOG": "",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py", "tests.pages:bench_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        rates = {}
        for page in LOADED:
            sessions = [_session(base, page.email) for _ in range(concurrency)]
            for session in sessions:
                session.get(base + page.path, timeout=120)

            def one(i: int, page: Page = page, sessions: list = sessions) -> int:
                return sessions[i % concurrency].get(base + page.path, timeout=120).status_code

            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                statuses = list(pool.map(one, range(requests_per_page)))
            elapsed = time.perf_counter() - started
            bad = [s for s in statuses if s != 200]
            rates[page.label] = requests_per_page / elapsed if not bad else float("nan")
        return rates
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/_floor", timeout=30).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _session(base: str, email: str | None) -> requests.Session:
    session = requests.Session()
    if email:
        form = session.get(base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        data = {"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
        answer = session.post(base + "/login", data=data, allow_redirects=False, timeout=60)
        if answer.status_code != 302:
            raise RuntimeError(f"{email} could not sign in under gunicorn ({answer.status_code})")
    return session


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def table(measured: dict[int, dict[str, dict]], rates: dict[int, dict[str, float]]) -> str:
    sizes = sorted(measured)
    lines = [
        "| page, endpoint or export | " + " | ".join(f"{s}×: SQL · median · p95 · × floor" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for label in measured[sizes[0]]:
        cells = []
        for size in sizes:
            row = measured[size][label]
            floor = measured[size][FLOOR_SIGNED_IN.label if row["page"].email else FLOOR.label]
            median = statistics.median(row["times"])
            ratio = median / statistics.median(floor["times"])
            cell = f"{row['statements']} · {_ms(median)} · {_ms(_p95(row['times']))} · {ratio:.1f}"
            if (row["page"].kind != "export" or row["kept"]) and row["first"] > 2 * median:
                cell += f" · first {_ms(row['first'])}"  # uncached (the public cache is on, as served)
            if row["status"] != 200:
                cell += f" (HTTP {row['status']})"
            if row["peak"] is not None:
                cell += f" · peak {row['peak'] / 2**20:.1f} MB"
            cell += f" · {row['bytes'] / 1024:,.0f} KB"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if rates:
        lines += ["", "| under gunicorn (requests/s) | " + " | ".join(f"{s}×" for s in sizes) + " |"]
        lines.append("|---|" + "---|" * len(sizes))
        for page in LOADED:
            cells = []
            for size in sizes:
                rate, floor = rates[size][page.label], rates[size][FLOOR.label]
                cells.append(f"{rate:,.0f} ({rate / floor:.0%} of the floor)")
            lines.append(f"| {page.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="also 100× (builds a 1.3-million-row fund once)")
    parser.add_argument("--sizes", type=lambda v: [int(x) for x in v.split(",")], help="e.g. 1,10")
    parser.add_argument("--repeats", type=int, default=15, help="requests per page for the median and p95")
    parser.add_argument(
        "--export-repeats", type=int, default=2, help="timed requests per export at 100× (slow exports, few runs)"
    )
    parser.add_argument("--load-requests", type=int, default=1000, help="requests per page under gunicorn")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous clients under gunicorn")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn part")
    parser.add_argument("--rebuild", action="store_true", help="build the scaled funds again")
    parser.add_argument("--folder", type=Path, default=ROOT / "instance" / "bench")
    options = parser.parse_args()
    sizes = options.sizes or ([1, 10, 100] if options.full else [1, 10])
    options.folder.mkdir(parents=True, exist_ok=True)
    measured, rates = {}, {}
    for size in sizes:
        db_file = build(options.folder, size, options.rebuild)
        # 100×: slow exports are timed twice (pages, now fast, as often as at the other sizes).
        repeats = options.repeats
        export_repeats = None if size < 100 else min(repeats, options.export_repeats)
        print(f"  measuring {size}x ({repeats} requests per page)…", file=sys.stderr)
        measured[size] = measure(db_file, repeats, export_repeats)
        if not options.no_load:
            rates[size] = load(db_file, options.load_requests, options.concurrency)
        print(table(measured, rates), file=sys.stderr)  # so far: a long run interrupted still leaves numbers
    print(table(measured, rates))


if __name__ == "__main__":
    main()
