"""Load on a running app server: N concurrent clients for D seconds on each of three requests
the web app sends (the claim searcher at 10 claims, `claim(uuid)`, `createClaim` with 3 lines,
the documents of bench/claims_api.py), with a JWT header. Prints, per client count and request,
requests/s, p50 and p99 ms, errors, and where the machine's CPU went.

Against a server already running (any database; the demo's users):
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 [--clients 1,10,50]
        [--seconds 30] [--user Admin --password admin123]
Or prepared here: --setup creates the PostgreSQL database of DATABASE_URL when missing,
migrates it, seeds the demo data (seed_demo; kept when already there), runs ANALYZE, serves it
with gunicorn and config/gunicorn.py as `make serve` does (DEBUG off, a random SECRET_KEY,
DB_CONN_MAX_AGE=60), runs the load and stops the server (--drop: and drops the database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load16 .venv/bin/python bench/load.py --setup

The clients are threads of this process (one connection each, urllib3); the CPU columns show
what they cost. Target (issue 16): the searcher at 10 clients at least 100 requests/s with p99
under 250 ms and no errors, on the 2-core machine with the client on it.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The documents as bench/claims_api.py times them. Importing it sets up Django with the test
# settings in this process (nothing here uses them; the server's environment is built apart).
from bench.claims_api import CLAIM, CREATE, SEARCHER  # noqa: E402

LOGIN = """mutation ($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token } }"""
# An existing claim with two items and a service gives what createClaim needs: an insuree, the
# facility's administrator, a diagnosis, and items and a service of the facility's price lists.
CLAIM_PARTS = """query { claims(first: 100, orderBy: ["-dateClaimed"]) { edges { node {
  uuid insuree { id } admin { id } healthFacility { id } icd { id }
  items { item { id } } services { service { id } } } } } }"""
OPERATIONS = ("searcher", "claim", "create")
SERVER_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "OPENIMIS_MODULES")


# --- The server's answers -------------------------------------------------------------------


class Api:
    """POSTs GraphQL documents over one kept-alive connection (sync gunicorn workers close it
    after each answer; urllib3 then opens the next)."""

    def __init__(self, url: str, token: str | None = None) -> None:
        parts = urlsplit(url)
        self.path = (parts.path.rstrip("/") or "") + "/api/graphql"
        self.pool = urllib3.HTTPConnectionPool(parts.hostname, parts.port or 80, maxsize=1,
                                               block=True, retries=False,
                                               timeout=urllib3.Timeout(total=60))
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"JWT {token}"

    def post(self, query: str, variables: dict | None = None) -> tuple[int, dict]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        response = self.pool.request("POST", self.path, body=body, headers=self.headers)
        try:
            return response.status, json.loads(response.data)
        except ValueError:
            return response.status, {"errors": [{"message": response.data[:200].decode()}]}

    def data(self, query: str, variables: dict | None = None) -> dict:
        status, body = self.post(query, variables)
        if status != 200 or body.get("errors"):
            raise SystemExit(f"HTTP {status}: {body.get('errors')}")
        return body["data"]


def numeric_id(value: str) -> int:
    """A row's key from a GraphQL `id`: a plain number, or a relay global id ("Type:key")."""
    if value.isdigit():
        return int(value)
    return int(base64.b64decode(value).decode().rsplit(":", 1)[1])


@dataclass
class Requests:
    """The three requests' bodies: what each client sends, round after round."""

    uuids: list[str]
    create: str
    code_prefix: str = field(default_factory=lambda: "".join(
        random.choices(string.ascii_uppercase + string.digits, k=3)))  # noqa: S311
    counter: Iterator[int] = field(default_factory=itertools.count)

    def variables(self, operation: str, client: int, round_: int) -> tuple[str, dict]:
        if operation == "searcher":
            return SEARCHER, {"first": 10}
        if operation == "claim":
            return CLAIM, {"uuid": self.uuids[(client * 7 + round_) % len(self.uuids)]}
        n = next(self.counter)
        # Claim codes are at most 8 characters: L, this run's prefix, a base-36 counter.
        code = f"L{self.code_prefix}{base36(n):0>4}"
        return self.create, {"cmid": f"load-{self.code_prefix}-{n}", "code": code}


def base36(n: int) -> str:
    digits = string.digits + string.ascii_uppercase
    text = ""
    while True:
        n, rest = divmod(n, 36)
        text = digits[rest] + text
        if not n:
            return text


def prepare_requests(api: Api) -> Requests:
    edges = api.data(CLAIM_PARTS)["claims"]["edges"]
    nodes = [edge["node"] for edge in edges]
    model = next((n for n in nodes if len(n["items"]) >= 2 and n["services"] and n["icd"]
                  and n["admin"]), None)
    if model is None:
        raise SystemExit("No claim with two items and a service among the newest 100: seed "
                         "the demo data (--setup) or point --url at a demo server")
    ids = {"insuree": numeric_id(model["insuree"]["id"]),
           "admin": numeric_id(model["admin"]["id"]),
           "facility": numeric_id(model["healthFacility"]["id"]),
           "icd": numeric_id(model["icd"]["id"]),
           "item1": numeric_id(model["items"][0]["item"]["id"]),
           "item2": numeric_id(model["items"][1]["item"]["id"]),
           "service": numeric_id(model["services"][0]["service"]["id"])}
    return Requests(uuids=[n["uuid"] for n in nodes], create=CREATE % ids)


def failed(operation: str, status: int, body: dict) -> bool:
    if status != 200 or body.get("errors"):
        return True
    if operation == "create":
        return body["data"]["createClaim"]["status"] != 2
    return False


# --- Where the CPU went ---------------------------------------------------------------------


def _ticks(pid: int, reaped: bool = False) -> int:
    """CPU ticks of a process (user + system), with `reaped` those of its children that
    exited too (a gunicorn worker replaced after max_requests)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    own = int(fields[11]) + int(fields[12])  # utime, stime
    return own + (int(fields[13]) + int(fields[14]) if reaped else 0)  # cutime, cstime


def _processes() -> Iterator[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            parent = int(text.rsplit(")", 1)[1].split()[1])
            yield int(entry.name), parent, name


@dataclass
class CpuSample:
    at: float
    machine_busy: int
    machine_total: int
    client: float
    server: int
    postgres: dict[int, int]  # ticks per backend: backends come and go with the workers


def _serves(pid: int, database: str) -> bool:
    """A PostgreSQL backend of `database` (its title: "postgres: 15/main: user database ...")."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return f" {database} " in title


def cpu_sample(server_pid: int | None, database: str | None) -> CpuSample:
    """Machine-wide busy and total ticks, this process's CPU seconds, and the ticks of the
    gunicorn master and workers (when started here) and of PostgreSQL (the backends of
    `database` when known, else every PostgreSQL process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    processes = list(_processes())
    server = 0
    if server_pid:
        server = _ticks(server_pid, reaped=True) + sum(
            _ticks(pid) for pid, parent, _ in processes if parent == server_pid)
    postgres = {pid: _ticks(pid) for pid, _, name in processes
                if name == "postgres" and (database is None or _serves(pid, database))}
    return CpuSample(time.monotonic(), sum(values) - idle, sum(values), time.process_time(),
                     server, postgres)


def cpu_shares(start: CpuSample, end: CpuSample) -> dict[str, float]:
    """Percent of one core: machine (all cores; 200 = both of a 2-core machine busy), client,
    server, PostgreSQL, and the rest (other processes of the machine)."""
    hertz = os.sysconf("SC_CLK_TCK")
    wall = end.at - start.at
    cores = os.cpu_count() or 1
    total = end.machine_total - start.machine_total or 1
    shares = {"machine": 100 * cores * (end.machine_busy - start.machine_busy) / total,
              "client": 100 * (end.client - start.client) / wall,
              "server": 100 * (end.server - start.server) / hertz / wall,
              # A backend that ended meanwhile is left out (its last seconds uncounted).
              "postgres": 100 * sum(ticks - start.postgres.get(pid, 0)
                                    for pid, ticks in end.postgres.items()) / hertz / wall}
    shares["other"] = max(0.0, shares["machine"] - shares["client"] - shares["server"]
                          - shares["postgres"])
    return shares


# --- The load -------------------------------------------------------------------------------


@dataclass
class Phase:
    clients: int
    operation: str
    samples: list[float]
    errors: int
    seconds: float
    cpu: dict[str, float]
    first_error: str = ""


def run_phase(url: str, token: str, requests: Requests, operation: str, clients: int,
              seconds: float, server_pid: int | None, database: str | None) -> Phase:
    """`clients` threads send `operation` back to back for `seconds`; each answer timed."""
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[str] = []
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        api = Api(url, token)
        start.wait()
        for round_ in itertools.count():
            query, variables = requests.variables(operation, index, round_)
            began = time.perf_counter()
            try:
                status, body = api.post(query, variables)
            except urllib3.exceptions.HTTPError as exc:
                status, body = 0, {"errors": [{"message": repr(exc)}]}
            ended = time.perf_counter()
            if ended > stop_at[0]:
                return
            samples[index].append((ended - began) * 1000)
            if failed(operation, status, body):
                errors[index] += 1
                if not first_error:
                    first_error.append(f"HTTP {status} {json.dumps(body)[:300]}")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    before = cpu_sample(server_pid, database)
    stop_at[0] = time.perf_counter() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    after = cpu_sample(server_pid, database)
    return Phase(clients, operation, sorted(s for part in samples for s in part), sum(errors),
                 seconds, cpu_shares(before, after), first_error[0] if first_error else "")


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    return samples[min(len(samples) - 1, int(len(samples) * fraction))]


def print_phase(phase: Phase) -> None:
    cpu = phase.cpu
    print(f"{phase.clients:>7} {phase.operation:<9} {len(phase.samples) / phase.seconds:>8.1f} "
          f"{statistics.median(phase.samples) if phase.samples else float('nan'):>8.1f} "
          f"{percentile(phase.samples, 0.99):>8.1f} {phase.errors:>6} "
          f"{cpu['machine']:>8.0f} {cpu['client']:>7.0f} {cpu['server']:>7.0f} "
          f"{cpu['postgres']:>9.0f} {cpu['other']:>6.0f}", flush=True)
    if phase.first_error:
        print(f"        first error: {phase.first_error}", flush=True)


def run_load(url: str, options: argparse.Namespace, server_pid: int | None = None,
             database: str | None = None) -> None:
    operations = [op.strip() for op in options.operations.split(",") if op.strip()]
    client_counts = [int(n) for n in options.clients.split(",")]
    print(f"server: {url}; {options.seconds:g} s per request and client count, after a "
          f"{options.warm_up:g} s warm-up; {os.cpu_count()} cores")
    print("CPU: % of one core over the timed seconds (machine: all processes, all cores; other: "
          "what the machine ran besides this load)")
    print(f"{'clients':>7} {'request':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'CPU mach':>8} {'client':>7} {'server':>7} {'postgres':>9} "
          f"{'other':>6}", flush=True)
    for clients in client_counts:
        # A fresh token per client count: a long run outlives an access token (30 minutes).
        token = Api(url).data(LOGIN, {"username": options.user,
                                      "password": options.password})["tokenAuth"]["token"]
        requests = prepare_requests(Api(url, token))
        for operation in operations:
            if options.warm_up:
                run_phase(url, token, requests, operation, clients, options.warm_up, None,
                          None)
            print_phase(run_phase(url, token, requests, operation, clients, options.seconds,
                                  server_pid, database))


# --- --setup: a database and a server of its own ------------------------------------------


def server_environment(database_url: str, bind: str, static_root: str,
                       options: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database_url,
               DB_CONN_MAX_AGE="60", ALLOWED_HOSTS="127.0.0.1", BIND=bind,
               STATIC_ROOT=static_root)
    if options.workers:
        env["WEB_CONCURRENCY"] = str(options.workers)
    if options.threads:
        env["GUNICORN_THREADS"] = str(options.threads)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)
    print(f"manage.py {' '.join(args)}: {time.perf_counter() - started:.0f} s", flush=True)


def postgres(database_url: str, database: str | None = None):
    import psycopg

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("--setup needs DATABASE_URL of a PostgreSQL database")
    target = parts._replace(path=f"/{database}") if database else parts
    return psycopg.connect(target.geturl(), autocommit=True)


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def create_database(database_url: str) -> None:
    name = database_name(database_url)
    with postgres(database_url, "postgres") as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"database {name} created", flush=True)


def drop_database(database_url: str) -> None:
    name = database_name(database_url)
    with postgres(database_url, "postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"database {name} dropped", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], url: str, log_path: Path) -> Iterator[int]:
    """The app served as `make serve` serves it, until the block ends; yields the master's pid."""
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (this project's gunicorn and configuration)
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.py",
             "config.wsgi"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: Api(url).post("{ __typename }")[0] == 200, server)
        yield server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def wait_until(ready: Callable[[], bool], server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if ready():
                return
        except (urllib3.exceptions.HTTPError, OSError):
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not answer within 120 s")
        time.sleep(0.25)


def worker_count(server_pid: int) -> int:
    """The master's children once they are all up (no new one for a second)."""
    counted, steady_since = -1, time.monotonic()
    while time.monotonic() - steady_since < 1:
        now = sum(1 for _, parent, _ in _processes() if parent == server_pid)
        if now != counted:
            counted, steady_since = now, time.monotonic()
        time.sleep(0.1)
    return counted


def setup_and_run(options: argparse.Namespace) -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        raise SystemExit("--setup needs DATABASE_URL (postgres://user@host:5432/name)")
    create_database(database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    static_root = tempfile.mkdtemp(prefix="load-static-")
    env = server_environment(database_url, f"127.0.0.1:{port}", static_root, options)
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "seed_demo", "--allow-production", "--no-progress",
               "--insurees", str(options.insurees), "--claims", str(options.claims))
        with postgres(database_url) as connection:
            connection.execute("ANALYZE")
        log_path = Path(tempfile.gettempdir()) / f"load-gunicorn-{port}.log"
        with gunicorn(env, url, log_path) as server_pid:
            workers = worker_count(server_pid)
            print(f"gunicorn: {workers} workers, log {log_path}", flush=True)
            run_load(url, options, server_pid, database_name(database_url))
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        if options.drop:
            drop_database(database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000",
                        help="A running server (ignored with --setup).")
    parser.add_argument("--clients", default="1,10,50", help="Client counts, comma-separated.")
    parser.add_argument("--seconds", type=float, default=30, help="Timed seconds per phase.")
    parser.add_argument("--warm-up", type=float, default=3,
                        help="Untimed seconds before each phase (caches, prepared statements).")
    parser.add_argument("--operations", default=",".join(OPERATIONS),
                        help=f"Some of {', '.join(OPERATIONS)}.")
    parser.add_argument("--user", default="Admin")
    parser.add_argument("--password", default="admin123")
    parser.add_argument("--setup", action="store_true",
                        help="Seed DATABASE_URL (PostgreSQL) and serve it with gunicorn here.")
    parser.add_argument("--insurees", type=int, default=1000, help="With --setup: seed_demo's.")
    parser.add_argument("--claims", type=int, default=1000, help="With --setup: seed_demo's.")
    parser.add_argument("--workers", type=int, default=0,
                        help="With --setup: WEB_CONCURRENCY (default: gunicorn.py's).")
    parser.add_argument("--threads", type=int, default=0,
                        help="With --setup: GUNICORN_THREADS (default: gunicorn.py's).")
    parser.add_argument("--drop", action="store_true",
                        help="With --setup: drop the database afterwards.")
    options = parser.parse_args()
    unknown = set(options.operations.split(",")) - set(OPERATIONS)
    if unknown:
        parser.error(f"unknown operations: {', '.join(sorted(unknown))}")
    if options.setup:
        setup_and_run(options)
    else:
        run_load(options.url, options)


if __name__ == "__main__":
    main()
