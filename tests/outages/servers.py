"""Private servers for the outage drills: a redis-server, a PostgreSQL cluster, a Celery worker and a gunicorn app
server, each a real process that the drill starts, stops, restarts or kills, and that is always cleaned up.

Nothing here touches the machine's shared PostgreSQL or Redis: each private server lives in its own temporary folder,
on its own port or unix socket.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES_BIN = Path(os.environ.get("WAYMARK_PG_BIN", "/usr/lib/postgresql/15/bin"))


def wait_until(condition: Callable[[], Any], *, timeout: float, message: str | Callable[[], str], every=0.05) -> Any:
    """Poll `condition` until it answers something truthy (and answer that); fail with `message` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"{text} (after waiting {timeout:.0f} s)")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_folder(prefix: str) -> Path:
    """A temporary folder directly under /tmp (pytest's own tmp_path is closed to other users, and PostgreSQL runs
    as `postgres` when the tests run as root); the caller removes it."""
    return Path(tempfile.mkdtemp(prefix=f"waymark-{prefix}-"))


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path.name} is empty)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop_process_group(process: subprocess.Popen, *, grace: float) -> None:
    """SIGTERM the process (its own group was made for it), then SIGKILL the whole group if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # the group's leader is our child: only what it started dies
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """The direct children of a process (Linux's /proc)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class RedisServer:
    """A private redis-server on a free TCP port of 127.0.0.1, keeping nothing on disk. It can be stopped and
    started again on the same port, as when the broker's host restarts."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise AssertionError("The outage drills need Debian's redis-server (apt-get install redis-server)")
        self.folder = folder
        self.port = free_port()
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> Any:
        from redis import Redis

        return Redis.from_url(self.url(db), socket_connect_timeout=2, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def start(self) -> RedisServer:
        assert self.process is None, "this private Redis is already running"
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--logfile", str(self.log), "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        process = self.process
        wait_until(
            lambda: process.poll() is not None or self._answers(),
            timeout=20,
            message=lambda: f"the private redis-server did not start on port {self.port}:\n{tail(self.log)}",
        )
        if process.poll() is not None:
            self.process = None
            raise AssertionError(f"the private redis-server exited at start:\n{tail(self.log)}")
        return self

    def stop(self) -> None:
        """Stop the server (its memory, and so every queued message, is gone, as after a real restart)."""
        if self.process is not None:
            _stop_process_group(self.process, grace=10)
            self.process = None

    def queue_length(self, queue: str = "default", db: int = 0) -> int:
        return int(self.client(db).llen(queue))

    def unacked_count(self, db: int = 0) -> int:
        """Messages a worker took but never acknowledged (kombu's Redis transport keeps them in `unacked`)."""
        return int(self.client(db).hlen("unacked"))


class PostgresCluster:
    """A private PostgreSQL cluster (initdb and pg_ctl from Debian's PostgreSQL 15) listening on a unix socket in
    its own folder only, so it can never clash with the machine's server. Run as `postgres` when we are root."""

    def __init__(self, folder: Path) -> None:
        if not (POSTGRES_BIN / "pg_ctl").exists():
            raise AssertionError(f"The outage drills need PostgreSQL's server binaries in {POSTGRES_BIN}")
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.running = False
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)

    def _run(self, program: str, *arguments: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(POSTGRES_BIN / program), *arguments]
        try:
            return subprocess.run(
                command, user=self.user, capture_output=True, text=True, timeout=timeout, check=True, cwd=self.folder
            )
        except subprocess.CalledProcessError as error:
            raise AssertionError(f"{program} failed: {error.stderr or error.stdout}\n{tail(self.log)}") from error

    def url(self, database: str) -> str:
        """A DATABASE_URL for django-environ (the socket folder as libpq's `host`)."""
        return f"postgres://postgres@/{database}?host={self.folder}"

    def connection_settings(self, database: str) -> dict[str, str]:
        return {"dbname": database, "user": "postgres", "host": str(self.folder)}

    def init(self) -> PostgresCluster:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        return self

    def start(self) -> None:
        options = f"-k {self.folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        options += " -c synchronous_commit=off -c max_connections=40"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster: `fast` ends every session (as a restart does); `immediate` is a crash."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
            self.running = False

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", str(self.folder), "-U", "postgres", name)

    def cleanup(self) -> None:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop(mode="immediate")


def worker_environment(**overrides: str) -> dict[str, str]:
    """The environment of a process of ours started by a drill: the test settings, and what the drill points at."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.test", PYTHONUNBUFFERED="1", LOG_FORMAT="json")
    environment.update(overrides)
    return environment


TASK_SUCCEEDED = re.compile(r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]+)\] succeeded in [\d.e-]+s: (?P<result>.*)$")


class CeleryWorker:
    """`celery -A config worker` in its own process (prefork, one child, as deployed: late acks, prefetch 1)."""

    def __init__(
        self, name: str, folder: Path, environment: dict[str, str], queues: str = "default,pdf,email,imports"
    ) -> None:
        self.name = name
        self.log = folder / f"worker-{name}.log"
        self.environment = environment
        self.queues = queues
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1"]
        command += ["-n", f"{self.name}@%h", "-Q", self.queues, "-l", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: self.exited() or " ready." in self.text(),
            timeout=90,
            message=lambda: f"worker {self.name} did not become ready:\n{self.tail()}",
        )
        assert not self.exited(), f"worker {self.name} exited at start:\n{self.tail()}"
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 80) -> str:
        return tail(self.log, lines)

    def pool_child(self) -> int:
        """The one prefork child that runs tasks."""
        children = wait_until(
            lambda: children_of(self.pid),
            timeout=30,
            message=lambda: f"worker {self.name} has no pool process:\n{self.tail()}",
        )
        assert len(children) == 1, f"expected one pool process, found {children}"
        return children[0]

    def kill_pool_child(self) -> int:
        """SIGKILL the child running the task, as the OOM killer would; the worker's main process lives on."""
        child = self.pool_child()
        os.kill(child, signal.SIGKILL)
        return child

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and child), as when its machine dies: nothing is acknowledged,
        nothing is handed back to the broker."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM: finish the current task, give back what it prefetched), then SIGKILL."""
        if self.process is not None:
            _stop_process_group(self.process, grace=20)

    def results(self, task: str) -> list[tuple[str, str]]:
        """(task id, result as logged) of each successful run of `task`, in order."""
        found = []
        for line in self.text().splitlines():
            match = TASK_SUCCEEDED.search(line)
            if match and match["name"] == task:
                found.append((match["id"], match["result"].strip().strip("'")))
        return found

    def result_counts(self, task: str) -> Counter:
        return Counter(result for _, result in self.results(task))


class AppServer:
    """The site under gunicorn (`config.wsgi`, sync workers, as the README deploys it) on a free port."""

    def __init__(self, folder: Path, environment: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.log = folder / "gunicorn.log"
        self.environment = environment
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self) -> AppServer:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "30", "--graceful-timeout", "5"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: self.process is None or self.process.poll() is not None or self._answers(),
            timeout=90,
            message=lambda: f"gunicorn did not answer:\n{tail(self.log)}",
        )
        assert self.process.poll() is None, f"gunicorn exited at start:\n{tail(self.log)}"
        return self

    def _answers(self) -> bool:
        try:
            return self.get("/help-now/", timeout=5)[0] == 200
        except OSError:
            return False

    def get(self, path: str, *, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
        """GET a path: (status, headers, body); an error status is an answer too."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers={"Accept": "*/*"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return sorted(children_of(self.process.pid))

    def stop(self) -> None:
        if self.process is not None:
            _stop_process_group(self.process, grace=10)
            self.process = None
