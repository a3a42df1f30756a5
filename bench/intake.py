"""Intake at scale, one command: gunicorn + a Celery worker + an SMTP sink on PostgreSQL and Redis.

    .venv/bin/python bench/intake.py                     # both phases, prints a table
    .venv/bin/python bench/intake.py --throughput-seconds 15 --connections 32 --rate 20 --rate-seconds 30

What it starts (and stops again): a fresh PostgreSQL database (created, migrated, seeded with
the demo staff and content, dropped at the end), an empty Redis database index, an aiosmtpd
sink on a free port in its own process that records when each message arrives,
`gunicorn service.wsgi:app -c gunicorn.conf.py` (gthread) and `celery -A worker worker -B`
(prefork; -B runs beat, so the outbox relay runs as in production). RATELIMIT_ENABLED=0.

Phases:
  (b) latency first, on a quiet system: an open-loop 20 questions/s for 30 s; for every ticket
      routed to a surgeon, the time from the request's scheduled start to the arrival of the
      surgeon notification (`[Q-XXXX-XXXX] New ...`) at the SMTP sink.
  (a) then max throughput: 32 keep-alive connections, closed loop, 15 s; submissions/s and
      submit latency. The worker drains the backlog afterwards (its rate is reported too).

The load generator is asyncio over raw HTTP/1.1 keep-alive sockets, so it costs the two cores
as little as a Python client can. The last line is JSON for scripts.
Settings: --web-workers/--web-threads (gunicorn), --worker-concurrency (Celery prefork), --worker-nice
(default 10: under contention the worker yields the CPU to the web, as a shared host should).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")

# Mostly ordinary questions that classify confidently to a surgical topic; one in ten is a red
# flag (urgent: coordinator alert emails are queued in the request), as intake sees in practice.
QUESTIONS = [
    "My lower back hurts and the sciatica goes down my left leg. Would a discectomy help?",
    "I was told I have a meningioma on my MRI. Does it always need an operation?",
    "After my first rib resection for thoracic outlet syndrome, when can I lift my toddler again?",
    "My neck is stiff and my hands tingle at night. Is this cervical stenosis and do I need surgery?",
    "Since this morning my groin is numb and I cannot pee, and my back pain is terrible.",
    "I have a herniated lumbar disc at L5-S1 with leg pain for three months despite physiotherapy.",
    "My MRI shows a small aneurysm in the brain. Should it be clipped or coiled?",
    "My arm goes numb and cold when I lift it above my head; could this be thoracic outlet syndrome?",
    "Is spinal fusion recommended for spondylolisthesis with back pain and leg numbness?",
    "My son has hydrocephalus with a shunt and now has headaches and vomiting in the morning.",
]
SURGEON_SUBJECT = re.compile(rb"^Subject:[^\r\n]*\[(Q-[0-9A-Z]{4}-[0-9A-Z]{4})\] New ", re.M)


# ---- machine and services -------------------------------------------------------------------
def machine_facts() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "python": platform.python_version(),
            "kernel": platform.release()}


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from `state` on (the name may hold spaces)


def cpu_seconds(pids: set[int], children_of: set[int] = frozenset()) -> dict[int, float]:
    """CPU seconds (user + system) per process: `pids` and the direct children of `children_of`."""
    wanted, out = set(pids), {}
    if children_of:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                fields = _stat(int(entry.name))
                if fields and int(fields[1]) in children_of:
                    wanted.add(int(entry.name))
    for pid in wanted:
        fields = _stat(pid)
        if fields:
            # utime, stime, and for parents the reaped children (recycled gunicorn workers)
            out[pid] = sum(int(v) for v in fields[11:15]) / TICK
    return out


class CpuMeter:
    """CPU used by the web tree, the worker tree and all of this run's PostgreSQL backends (web and worker)."""

    def __init__(self, db: Database, web: subprocess.Popen, worker: subprocess.Popen) -> None:
        self.db, self.roots = db, {"web": web.pid, "worker": worker.pid}

    def sample(self) -> dict[str, dict[int, float]]:
        backends = {row[0] for row in self.db.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")}
        sample = {name: cpu_seconds({pid}, {pid}) for name, pid in self.roots.items()}
        sample["postgres"] = cpu_seconds(backends)
        sample["loadgen"] = {0: time.process_time()}
        return sample

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        return {name: sum(v - before[name].get(pid, 0.0) for pid, v in after[name].items()) for name in after}


def speed_check_ms() -> float:
    """Wall time of a fixed pure-Python loop on the idle stack: how fast this VM is right now.

    A VM's capacity drifts (this loop has taken 130 to 250 ms here minutes apart), and every
    rate in the report moves with it; this row lets two reports be compared.
    """
    started, total = time.perf_counter(), 0
    for i in range(3_000_000):
        total += i * i
    return (time.perf_counter() - started) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


class Database:
    """A fresh PostgreSQL database for this run; dropped on close."""

    def __init__(self) -> None:
        import psycopg

        self.name = f"neurodesk_bench_{uuid.uuid4().hex[:10]}"
        self._admin = psycopg.connect(ADMIN_URL, autocommit=True)
        self._admin.execute(f'CREATE DATABASE "{self.name}"')
        base = ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{self.name}"
        self.dsn = f"{base}/{self.name}"
        self.server_version = self._admin.execute("SHOW server_version").fetchone()[0]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.dsn) as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin.close()


class RedisDb:
    """An empty Redis database index (counting down from 15), emptied again on close."""

    def __init__(self) -> None:
        import redis

        for index in range(15, 0, -1):
            conn = redis.Redis.from_url(f"{REDIS_URL.rstrip('/')}/{index}")
            if conn.dbsize() == 0:
                self.conn, self.url = conn, f"{REDIS_URL.rstrip('/')}/{index}"
                self.server_version = conn.info("server")["redis_version"]
                return
            conn.close()
        raise RuntimeError("no empty Redis database index between 1 and 15")

    def queue_length(self) -> int:
        return int(self.conn.llen("celery"))

    def close(self) -> None:
        self.conn.flushdb()
        self.conn.close()


# ---- SMTP sink (own process: the load generator keeps its GIL) ------------------------------
def _sink_main(port: int, log_path: str, ready) -> None:
    from aiosmtpd.controller import Controller

    out = open(log_path, "a", buffering=1)

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            arrived = time.time()
            match = SURGEON_SUBJECT.search(envelope.content)
            out.write(f"{arrived:.6f} {match.group(1).decode() if match else '-'}\n")
            return "250 2.0.0 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait({signal.SIGTERM})
    controller.stop()
    out.close()


class SmtpSink:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / "smtp-arrivals.log"
        self.log.touch()
        ready = multiprocessing.Event()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # inherited: sigwait needs it blocked
        self.process = multiprocessing.Process(target=_sink_main, args=(self.port, str(self.log), ready))
        self.process.start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        if not ready.wait(30):
            raise RuntimeError("SMTP sink did not start")

    def arrivals(self) -> tuple[int, dict[str, float]]:
        """(messages received, reference -> first surgeon-notification arrival time)."""
        total, surgeon = 0, {}
        for line in self.log.read_text().splitlines():
            stamp, reference = line.split()
            total += 1
            if reference != "-":
                surgeon.setdefault(reference, float(stamp))
        return total, surgeon

    def surgeon_counts(self) -> Counter:
        return Counter(line.split()[1] for line in self.log.read_text().splitlines() if not line.endswith(" -"))

    def close(self) -> None:
        self.process.terminate()
        self.process.join(10)


# ---- processes --------------------------------------------------------------------------------
def service_env(db: Database, redis_db: RedisDb, sink: SmtpSink, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "REDIS", "DATABASE", "CELERY"))}
    env.update({
        "PYTHONPATH": str(REPO), "SECRET_KEY": "bench-secret-key", "RATELIMIT_ENABLED": "0",
        "DATABASE_URL": db.url, "REDIS_URL": redis_db.url, "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink.port), "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    env.update(extra)
    return env


def run_flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "service", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Stack:
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = open(log, "ab")
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left in the group (a gunicorn or prefork child whose parent is gone) goes
            # too: a leftover web or worker would skew the next benchmark on the same machine.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(5)


def start_web(stack: Stack, env: dict[str, str], workdir: Path, port: int, workers: int, threads: int,
              log_name: str = "gunicorn.log") -> subprocess.Popen:
    web_env = dict(env, PORT=str(port), WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads))
    process = stack.start([sys.executable, "-m", "gunicorn", "service.wsgi:app", "-c", "gunicorn.conf.py"],
                          web_env, workdir / log_name)
    wait_port(port, process=process)
    return process


def start_worker(stack: Stack, env: dict[str, str], workdir: Path, concurrency: int, name: str = "bench",
                 beat: bool = True, nice: int = 0) -> subprocess.Popen:
    argv = [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool=prefork",
            f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip",
            "--without-mingle", "-n", f"{name}@%h"]
    if beat:
        argv += ["-B", "-s", str(workdir / "beat-schedule")]
    process = stack.start(argv, env, workdir / f"worker-{name}.log")
    if nice:
        set_autogroup_nice(process.pid, nice)
    return process


def set_autogroup_nice(pid: int, nice: int) -> None:
    """Give the process's session (its own autogroup: Stack starts each in a new session) `nice`.

    With the kernel's autogroup scheduling on, the CPU is first shared between sessions, and a
    task's own nice only weighs against tasks of its session: `nice -n 10` alone leaves a
    worker in its own session an equal share against the web. The group's nice is what counts.
    """
    path = Path(f"/proc/{pid}/autogroup")
    try:
        path.write_text(str(nice))
    except OSError:
        pass  # no autogroup scheduling (or not allowed): the process nice is all there is


# ---- load generator ---------------------------------------------------------------------------
def question_body(n: int, tag: str) -> bytes:
    return json.dumps({
        "name": f"Bench Patient {n}",
        "email": f"bench-{tag}-{n}-{uuid.uuid4().hex[:8]}@example.com",
        "question": QUESTIONS[n % len(QUESTIONS)],
        "consent": True,
    }).encode()


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST over a kept-alive connection; reconnects when the server closed it."""
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
                continue  # a kept-alive socket the server had closed: retry once on a new one
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, payload
        raise ConnectionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Result:
    started: float  # time.time() of the (scheduled) start
    seconds: float
    status: int
    reference: str | None = None


async def _one(conn: Connection, body: bytes, started_wall: float, started: float) -> Result:
    try:
        status, payload = await conn.post("/api/v1/questions", body)
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        conn.close()
        return Result(started_wall, time.perf_counter() - started, 0)
    reference = json.loads(payload).get("reference") if status == 202 else None
    return Result(started_wall, time.perf_counter() - started, status, reference)


async def closed_loop(port: int, connections: int, seconds: float) -> tuple[list[Result], float]:
    """`connections` clients, each sending the next request as soon as the last one answered."""
    results: list[Result] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client() -> None:
        conn = Connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            body = question_body(next(counter), "max")
            results.append(await _one(conn, body, time.time(), time.perf_counter()))
        conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return results, time.perf_counter() - began


async def open_loop(port: int, rate: float, seconds: float, pool_size: int = 32) -> list[Result]:
    """Requests start on a fixed schedule whatever the server does; latency counts from the schedule."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(pool_size):
        pool.put_nowait(Connection("127.0.0.1", port))
    wall0, perf0 = time.time(), time.perf_counter()
    total = int(rate * seconds)

    async def scheduled(n: int) -> Result:
        offset = n / rate
        await asyncio.sleep(max(0.0, perf0 + offset - time.perf_counter()))
        conn = await pool.get()
        try:
            return await _one(conn, question_body(n, "rate"), wall0 + offset, perf0 + offset)
        finally:
            pool.put_nowait(conn)

    results = await asyncio.gather(*(scheduled(n) for n in range(total)))
    while not pool.empty():
        pool.get_nowait().close()
    return list(results)


# ---- report -------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def wait_drained(db: Database, redis_db: RedisDb, timeout: float) -> float | None:
    """Seconds until no ticket is new, no email queued and the broker queue is empty; None on timeout."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        pending = db.query(
            "SELECT (SELECT count(*) FROM ticket WHERE status = 'new')"
            " + (SELECT count(*) FROM outbound_email WHERE status = 'queued')")[0][0]
        if pending == 0 and redis_db.queue_length() == 0:
            return time.monotonic() - began
        time.sleep(0.25)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throughput-seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--rate-seconds", type=float, default=30)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    # Web and worker share the two cores here. Triage is background work that catches up after a
    # burst; a submission is a waiting patient. So, as on a shared production host (compose:
    # cpu_shares), the worker yields the CPU to the web under contention. --worker-nice 0: equal.
    parser.add_argument("--worker-nice", type=int, default=10)
    # --skip drain: stop after the throughput phase's figures (quick A/B of web settings).
    parser.add_argument("--skip", choices=["throughput", "latency", "drain"], action="append", default=[])
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory with the logs")
    args = parser.parse_args(argv)

    facts = machine_facts()
    print(f"machine: nproc={facts['nproc']} cpu={facts['cpu']} python={facts['python']} kernel={facts['kernel']}")
    workdir = Path(tempfile.mkdtemp(prefix="neurodesk-bench-"))
    stack = Stack()
    db = redis_db = sink = None
    summary: dict[str, object] = {"machine": facts, "web_workers": args.web_workers,
                                  "web_threads": args.web_threads, "worker_concurrency": args.worker_concurrency,
                                  "worker_nice": args.worker_nice}
    try:
        db, redis_db, sink = Database(), RedisDb(), SmtpSink(workdir)
        print(f"services: PostgreSQL {db.server_version} (db {db.name}), Redis {redis_db.server_version} "
              f"({redis_db.url}), SMTP sink 127.0.0.1:{sink.port}; logs in {workdir}")
        env = service_env(db, redis_db, sink)
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed")
        port = free_port()
        web = start_web(stack, env, workdir, port, args.web_workers, args.web_threads)
        worker = start_worker(stack, env, workdir, args.worker_concurrency, nice=args.worker_nice)
        print(f"pids: gunicorn {web.pid}, celery {worker.pid} (py-spy record --subprocesses -p PID)", flush=True)
        meter = CpuMeter(db, web, worker)
        summary["load_average_at_start"] = os.getloadavg()
        asyncio.run(closed_loop(port, 4, 2.0))  # warm up: imports, pools, the triage engine
        if wait_drained(db, redis_db, 120) is None:
            raise RuntimeError("warm-up tickets never drained: is the worker running? see the logs")

        if "latency" not in args.skip:
            before = meter.sample()
            results = asyncio.run(open_loop(port, args.rate, args.rate_seconds))
            accepted = [r for r in results if r.status == 202]
            sent = {r.reference: r.started for r in accepted}
            routed = set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                refs = list(sent)
                routed = {row[0] for row in db.query(
                    "SELECT reference FROM ticket WHERE reference = ANY(%s) AND assignee_id IS NOT NULL", (refs,))}
                pending = db.query("SELECT count(*) FROM ticket WHERE reference = ANY(%s) AND status = 'new'",
                                   (refs,))[0][0]
                _, arrived = sink.arrivals()
                if pending == 0 and routed <= set(arrived):
                    break
                time.sleep(0.25)
            cpu = CpuMeter.used(before, meter.sample())
            _, arrived = sink.arrivals()
            to_mail = [arrived[ref] - sent[ref] for ref in routed if ref in arrived]
            submit = [r.seconds for r in accepted]
            summary["latency"] = {
                "rate": args.rate, "seconds": args.rate_seconds, "requests": len(results),
                "accepted": len(accepted), "statuses": dict(Counter(str(r.status) for r in results)),
                "submit_p50_s": percentile(submit, 50), "submit_p99_s": percentile(submit, 99),
                "routed_to_surgeon": len(routed), "surgeon_mails": len(to_mail),
                "missing_mails": len(routed) - len(to_mail),
                "to_mail_p50_s": percentile(to_mail, 50), "to_mail_p99_s": percentile(to_mail, 99),
                "to_mail_max_s": max(to_mail) if to_mail else None,
                # Everything each ticket cost, end to end: at this rate nothing is left for later.
                "cpu_ms_per_ticket": {k: round(v / max(1, len(accepted)) * 1000, 2) for k, v in cpu.items()},
            }

        if "throughput" not in args.skip:
            summary["speed_check_ms"] = round(speed_check_ms())
            before = meter.sample()
            results, elapsed = asyncio.run(closed_loop(port, args.connections, args.throughput_seconds))
            cpu = CpuMeter.used(before, meter.sample())
            accepted = [r for r in results if r.status == 202]
            submit = [r.seconds for r in accepted]
            drain = None if "drain" in args.skip else wait_drained(db, redis_db, 900)
            summary["throughput"] = {
                "connections": args.connections, "seconds": round(elapsed, 2), "requests": len(results),
                "accepted": len(accepted), "statuses": dict(Counter(str(r.status) for r in results)),
                "per_second": len(accepted) / elapsed, "submit_p50_s": percentile(submit, 50),
                "submit_p99_s": percentile(submit, 99), "drain_seconds": drain,
                "worker_tickets_per_second": (len(accepted) / (elapsed + drain)) if drain is not None else None,
                # CPU per accepted submission during the load: independent of what else the machine runs.
                "cpu_ms_per_submission": {k: round(v / max(1, len(accepted)) * 1000, 2) for k, v in cpu.items()},
            }
        counts = sink.surgeon_counts()
        summary["duplicate_surgeon_mails"] = sum(1 for c in counts.values() if c > 1)
        drained = "drain" not in args.skip or "throughput" in args.skip
        summary["stranded_tickets"] = (db.query("SELECT count(*) FROM ticket WHERE status = 'new'")[0][0]
                                       if drained else None)
    finally:
        stack.stop()
        for resource in (sink, redis_db, db):
            if resource is not None:
                resource.close()
        if not args.keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)

    print_table(summary)
    print(json.dumps(summary, default=str))
    return 0


def print_table(summary: dict) -> None:
    rows = [("machine", f"{summary['machine']['nproc']} x {summary['machine']['cpu']}; load average at start "
                        f"{summary['load_average_at_start'][0]:.1f} (other work on the machine skews the rates)"),
            ("web", f"gunicorn gthread {summary['web_workers']} workers x {summary['web_threads']} threads; "
                    f"celery prefork x {summary['worker_concurrency']} (+beat) at nice {summary['worker_nice']}")]
    if "speed_check_ms" in summary:
        rows.append(("machine speed check just before (a), fixed Python loop",
                     f"{summary['speed_check_ms']} ms (lower is faster; 130-250 ms seen on this VM within minutes)"))
    if "throughput" in summary:
        t = summary["throughput"]
        rows += [
            (f"(a) max throughput, {t['connections']} connections, {t['seconds']} s",
             f"{t['per_second']:.0f} submissions/s ({t['accepted']}/{t['requests']} accepted, {t['statuses']})"),
            ("(a) submit latency p50 / p99", f"{ms(t['submit_p50_s'])} / {ms(t['submit_p99_s'])}"),
            ("(a) CPU per submission during the load",
             ", ".join(f"{k} {v:.1f} ms" for k, v in t["cpu_ms_per_submission"].items())
             + f"; web+postgres (upper bound: postgres includes the worker's queries): {int(summary['machine']['nproc']) * 1000 / max(0.1, t['cpu_ms_per_submission']['web'] + t['cpu_ms_per_submission']['postgres']):.0f}/s on {summary['machine']['nproc']} idle cores"),
            ("(a) worker drained the backlog in",
             "-" if t["drain_seconds"] is None else
             f"{t['drain_seconds']:.1f} s after the load ({t['worker_tickets_per_second']:.0f} tickets/s overall)"),
        ]
    if "latency" in summary:
        lat = summary["latency"]
        rows += [
            (f"(b) {lat['rate']:g} questions/s for {lat['seconds']:g} s",
             f"{lat['accepted']}/{lat['requests']} accepted, {lat['routed_to_surgeon']} routed to a surgeon"),
            ("(b) submit latency p50 / p99", f"{ms(lat['submit_p50_s'])} / {ms(lat['submit_p99_s'])}"),
            ("(b) submit-to-surgeon-mail p50 / p99 / max",
             f"{ms(lat['to_mail_p50_s'])} / {ms(lat['to_mail_p99_s'])} / {ms(lat['to_mail_max_s'])}"
             f" ({lat['surgeon_mails']} mails, {lat['missing_mails']} missing)"),
            ("(b) CPU per ticket, intake to last email",
             ", ".join(f"{k} {v:.1f} ms" for k, v in lat["cpu_ms_per_ticket"].items())),
        ]
    rows += [("surgeon mails delivered more than once", str(summary["duplicate_surgeon_mails"])),
             ("tickets left new (stranded)",
              "- (backlog not drained)" if summary["stranded_tickets"] is None else str(summary["stranded_tickets"]))]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | result |")
    print(f"| {'-' * width} | ------ |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


if __name__ == "__main__":
    sys.exit(main())
