#!/usr/bin/env python3
"""Alert fan-out: a release published to N confirmed subscribers, sent by real worker
processes (`manage.py run_worker`) into a local SMTP server (aiosmtpd), counted as it accepts.

    .venv/bin/python bench/fanout.py --counts 10000,100000 --workers 1,2   # `make bench-fanout`

For each count and number of workers: a fresh set of subscribers, the workers started and idle,
then "Publish now" (the actions, as an approver's click); measured from the click: the first
mail accepted, planning ended (`AlertBatch.plan_done_at`), the last mail accepted; mails/s
over the whole run and per worker; each worker's peak resident memory (VmHWM); the CPU
(user + system, from /proc) per mail of the workers and of their PostgreSQL backends, which a
machine shared with other work changes far less than mails/s. Every
address is checked to be received exactly once. Writes a Markdown table to --out.

The database is PostgreSQL (FANOUT_DATABASE_URL, default a database of this script's own,
dropped and created), production settings (DEBUG off).
"""

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mailsink  # bench/mailsink.py

# FANOUT_REPO: another checkout's code (e.g. the main branch's, for a side-by-side run).
REPO = Path(os.environ.get("FANOUT_REPO") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(REPO))
PYTHON = Path(sys.executable)
DATABASE_URL = os.environ.get(
    "FANOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_scale_fanout"
)
ENV = dict(os.environ)
ENV.update(
    DEBUG="False",
    SECRET_KEY=secrets.token_urlsafe(64),
    ALLOWED_HOSTS="127.0.0.1",
    HTTPS="False",
    DATABASE_URL=DATABASE_URL,
    LOG_LEVEL="WARNING",
    IRSITE_PAGE_CACHE="0",
)


def recreate_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=REPO, env=ENV, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "load_demo"],
        cwd=REPO,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends() -> dict[int, float]:
    """The CPU so far of each PostgreSQL backend serving this run's database (the workers'
    persistent connections; PostgreSQL on this machine), but this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {pid: cpu_seconds(pid) for (pid,) in cursor.fetchall()}


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(count: int, workers: int, port: int, sink: mailsink.Sink, timeout: float) -> dict:
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from irsite.alerts.models import AlertBatch, Subscriber
    from releases import actions
    from releases.models import Release

    # Batches of earlier runs stay: without them their releases (public, within the alert
    # window) would be due again and mailed to this run's subscribers too.
    DBTaskResult.objects.all().delete()
    Subscriber.objects.all().delete()  # and their deliveries
    addresses = [f"reader{n:07d}@example.com" for n in range(count)]
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [Subscriber(email=a, status=Subscriber.Status.ACTIVE, confirmed_at=now) for a in addresses],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    template = Release.objects.public().order_by("pk").first()
    assert template is not None, "load_demo made no public release"
    n = Release.objects.count() + 1
    release = Release(
        headline=f"Fan-out benchmark release {n}",
        slug=f"fanout-{n}-{secrets.token_hex(3)}",
        dateline_city=template.dateline_city,
        body=template.body,
        # Ahead: submitting refuses a time already past (by the database's second), which a
        # second boundary between here and there made it (a run failed so); the click below
        # ("Publish now") sets the moment.
        published_at=timezone.now() + timedelta(minutes=5),
    )
    system = actions.SystemActor("bench")
    actions.save_release(release, system)
    actions.submit(release, system)
    actions.approve(release, system)
    env = ENV | {"EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    procs = [
        subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--worker-id", f"bench-{w}"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for w in range(workers)
    ]
    try:
        time.sleep(3)  # started and idle
        with sink.lock:
            sink.received.clear()
        workers_cpu = [cpu_seconds(p.pid) for p in procs]
        backends_cpu = database_backends()
        clicked = time.monotonic()
        actions.publish(release, system, now=True)  # "Publish now"
        published = timezone.now()
        planned = None
        while len(sink.received) < count and time.monotonic() - clicked < timeout:
            time.sleep(0.2)
            if planned is None:
                batch = AlertBatch.objects.filter(release=release).first()
                # Before chunked planning a batch was planned whole when claimed (planned_at).
                done = getattr(batch, "plan_done_at", batch and batch.planned_at)
                if done is not None:
                    planned = (done - published).total_seconds()
        memory = [peak_memory_mb(p.pid) for p in procs]
        # CPU per mail, robust where mails/s are not (a machine shared with other work).
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs) - sum(workers_cpu)
        database_cpu = sum(t - backends_cpu.get(pid, 0.0) for pid, t in database_backends().items())
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(60)
    received = Counter(sink.received)
    complete = len(received) == count
    twice = sum(1 for v in received.values() if v > 1)
    seconds = sink.last - clicked
    rate = len(sink.received) / seconds if seconds > 0 else 0
    return {
        "count": count,
        "workers": workers,
        "first": sink.first - clicked if sink.received else float("nan"),
        "planned": planned,
        "last": seconds,
        "received": len(sink.received),
        "complete": complete,
        "twice": twice,
        "rate": rate,
        "per_worker": rate / workers,
        "memory": max(memory),
        "worker_ms": 1000 * worker_cpu / max(1, len(sink.received)),
        "database_ms": 1000 * database_cpu / max(1, len(sink.received)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="10000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    recreate_database()
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irsite.settings")
    import django

    django.setup()
    sink, port, controller = mailsink.start()
    rows = []
    try:
        for count in [int(c) for c in args.counts.split(",")]:
            for workers in [int(w) for w in args.workers.split(",")]:
                row = run(count, workers, port, sink, args.timeout)
                print(row, flush=True)
                rows.append(row)
    finally:
        controller.stop()
    lines = [
        f"Alert fan-out, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `{' '.join(sys.argv)}`; "
        f"load average {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores.",
        "",
        "| subscribers | workers | first mail | planning ended | last mail | mails/s "
        "| mails/s per worker | worker peak RSS | received once each "
        "| worker CPU per mail | PostgreSQL CPU per mail |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        planned = f"{r['planned']:.1f} s" if r["planned"] is not None else "not within timeout"
        once = "yes" if r["complete"] and not r["twice"] else f"{r['received']}, {r['twice']} twice"
        lines.append(
            f"| {r['count']:,} | {r['workers']} | {r['first']:.2f} s | {planned} "
            f"| {r['last']:.1f} s | {r['rate']:.0f} | {r['per_worker']:.0f} "
            f"| {r['memory']:.0f} MB | {once} | {r['worker_ms']:.2f} ms "
            f"| {r['database_ms']:.2f} ms |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
