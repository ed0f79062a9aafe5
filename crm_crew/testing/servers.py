"""Throwaway redis-server and PostgreSQL servers on free loopback ports, for tests and benchmarks.

Each server runs from the installed binaries in a fresh temporary folder, keeps nothing on disk that it
does not need (no Redis snapshots, no PostgreSQL fsync) and is gone, folder and all, after `stop()`.
`redis_url_for_tests` / `postgres_url_for_tests` prefer the REDIS_URL / DATABASE_URL environment
variables, so a developer or CI can point the tests at servers of their own instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

REDIS_INSTALL_HINT = "install it with `apt-get install redis-server`, or set REDIS_URL to a Redis of your own"
POSTGRES_INSTALL_HINT = "install it with `apt-get install postgresql`, or set DATABASE_URL to a PostgreSQL of your own"
DATABASE_NAME = "crm_crew"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root: as root, the cluster belongs to the first of these that exists.
UNPRIVILEGED_USERS = ("postgres", "nobody")
# A free port can be taken by another process between our probe and the server's bind: retry on a new one.
_START_ATTEMPTS = 3


class ServerUnavailable(RuntimeError):
    """A test server cannot be found or started; the message says what is missing and how to get it."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def find_redis_server() -> Path:
    """The redis-server binary: PATH, then /usr/local/bin and /usr/bin."""
    found = shutil.which("redis-server")
    candidates = [Path(found)] if found else []
    candidates += [Path("/usr/local/bin/redis-server"), Path("/usr/bin/redis-server")]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ServerUnavailable(f"redis-server was not found in PATH, /usr/local/bin or /usr/bin: {REDIS_INSTALL_HINT}")


def find_postgres_bin_dir() -> Path:
    """The folder holding both `initdb` and `postgres`: PATH, /usr/local/bin, then the newest
    /usr/lib/postgresql/*/bin (where Debian's packages put them)."""
    path_dirs = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    debian_dirs = sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda p: _version_key(p.parent.name), reverse=True)
    for folder in [*path_dirs, Path("/usr/local/bin"), *debian_dirs]:
        if all(os.access(folder / name, os.X_OK) for name in ("initdb", "postgres")):
            return folder
    raise ServerUnavailable("PostgreSQL's initdb and postgres were not found in PATH, /usr/local/bin or "
                            f"/usr/lib/postgresql/*/bin: {POSTGRES_INSTALL_HINT}")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in name.split("."))


class _Server:
    """A child process with its own temporary folder; subclasses say how to launch and probe it."""

    name = "server"

    def __init__(self, work_dir: Path | None = None) -> None:
        self._parent_dir = work_dir
        self.dir: Path | None = None
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        assert self.dir is not None, f"{self.name} has not been started"
        return self.dir / "server.log"

    def start(self) -> Self:
        """Launch the server and return once it answers; raise ServerUnavailable when it cannot."""
        if self._process is not None:
            return self
        self.dir = self._make_dir()
        try:
            self._prepare()
            for _ in range(_START_ATTEMPTS):
                self.port = _free_port()
                self._launch()
                if self._wait_until_ready():
                    return self
                self._terminate()
            raise ServerUnavailable(f"{self.name} did not start on 127.0.0.1 (last port {self.port}); "
                                    f"its log ends with:\n{_log_tail(self.log_path)}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Shut the server down, wait for it to exit (its port is free again) and remove its folder."""
        self._terminate()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _make_dir(self) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"crm-crew-{self.name}-", dir=self._parent_dir))

    def _prepare(self) -> None:
        """One-off set-up before the first launch (PostgreSQL's initdb)."""

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _popen_options(self) -> dict[str, Any]:
        return {}

    def _is_ours(self, timeout: float) -> bool:
        """True when the server on self.port answers and is this process (not another that took the port)."""
        raise NotImplementedError

    def _stop_signal(self) -> int:
        return signal.SIGTERM

    def _launch(self) -> None:
        self._log_file = open(self.log_path, "ab")  # closed in _terminate
        self._process = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL, stdout=self._log_file,
                                         stderr=subprocess.STDOUT, cwd=self.dir, **self._popen_options())

    def _wait_until_ready(self, timeout: float = 30.0) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            if self._is_ours(timeout=1.0):
                return True
            time.sleep(0.05)
        return False

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(self._stop_signal())
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class RedisServer(_Server):
    """redis-server without persistence; `.url` is "redis://127.0.0.1:PORT/0"."""

    name = "redis"

    def __init__(self, work_dir: Path | None = None) -> None:
        super().__init__(work_dir)
        self._binary = find_redis_server()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        return [str(self._binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no", "--protected-mode", "no"]

    def _is_ours(self, timeout: float) -> bool:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        assert self._process is not None
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=timeout, socket_connect_timeout=timeout,
                             retry=Retry(NoBackoff(), 0))
        try:
            return bool(client.ping()) and int(client.info("server")["process_id"]) == self._process.pid
        except redis.RedisError:
            return False
        finally:
            client.close()


class PostgresServer(_Server):
    """A fresh PostgreSQL cluster with database crm_crew and trust auth on loopback;
    `.url` is "postgresql://postgres@127.0.0.1:PORT/crm_crew".

    Durability is off (fsync, synchronous_commit, full_page_writes) since the data dies with the server.
    As root the cluster runs as an unprivileged user and lives under the system temp folder, which that
    user can reach whatever `work_dir` says.
    """

    name = "postgres"

    def __init__(self, work_dir: Path | None = None) -> None:
        super().__init__(work_dir)
        self._bin_dir = find_postgres_bin_dir()
        self._user = _unprivileged_user() if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _make_dir(self) -> Path:
        if self._user is None:
            return super()._make_dir()
        folder = Path(tempfile.mkdtemp(prefix=f"crm-crew-{self.name}-"))
        os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        return folder

    def _popen_options(self) -> dict[str, Any]:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": str(self.dir), "USER": self._user.pw_name}}

    def _prepare(self) -> None:
        assert self.dir is not None
        command = [str(self._bin_dir / "initdb"), "-D", str(self.dir / "data"), "-U", SUPERUSER, "--auth=trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"]
        with open(self.log_path, "ab") as log:
            result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=self.dir, check=False, **self._popen_options())
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed (exit {result.returncode}); its output ends with:\n"
                                    f"{_log_tail(self.log_path)}")

    def _command(self) -> list[str]:
        assert self.dir is not None
        return [str(self._bin_dir / "postgres"), "-D", str(self.dir / "data"), "-k", str(self.dir),
                "-p", str(self.port), "-h", "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off"]

    def _is_ours(self, timeout: float) -> bool:
        import psycopg

        assert self.dir is not None
        admin_url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"
        try:
            with psycopg.connect(admin_url, connect_timeout=max(1, round(timeout)), autocommit=True) as conn:
                row = conn.execute("SELECT current_setting('data_directory')").fetchone()
                if row is None or Path(row[0]) != self.dir / "data":
                    return False
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
                if exists is None:
                    conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                return True
        except psycopg.OperationalError:
            return False

    def _stop_signal(self) -> int:
        return signal.SIGINT   # PostgreSQL's "fast" shutdown: disconnect clients, then exit cleanly


def _unprivileged_user() -> pwd.struct_passwd:
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerUnavailable("PostgreSQL refuses to run as root and none of the users "
                            f"{', '.join(UNPRIVILEGED_USERS)} exists: {POSTGRES_INSTALL_HINT}")


def redis_url_for_tests(tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """REDIS_URL when set (and a stop function that does nothing), else an own server's URL and its stop."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url, lambda: None
    server = RedisServer(tmp_dir).start()
    return server.url, server.stop


def postgres_url_for_tests(tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """DATABASE_URL (or CRM_CREW_TEST_DATABASE_URL, where tests/conftest.py moves it) when set, with a stop
    function that does nothing; else an own server's URL and its stop."""
    url = os.environ.get("CRM_CREW_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url, lambda: None
    server = PostgresServer(tmp_dir).start()
    return server.url, server.stop
