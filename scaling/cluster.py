"""Run the production topology on one machine: nginx, N Rasa instances, N action servers.

Used by ``make test-scale`` (tests/scale/) and ``make bench-scale`` (scripts/bench_scale.py):

- a fresh PostgreSQL database (tracker store and the assistant's tables) and fresh Redis key
  prefixes (our lock store) and socket.io channel, removed afterwards;
- the backend stand-in, N action servers and N ``rasa run`` instances with
  ``endpoints.production.yml`` and ``credentials.yml``, started one after the other, each waited
  for until healthy (two cores: loading models in parallel only makes both slow);
- Debian's nginx with ``deploy/nginx/gemeente-assistent.conf``, of which only the upstream
  ``server`` lines and the ``listen`` ports are replaced by the loopback addresses.

Every process gets a port ``port_base + k``; logs go to ``<workdir>/log/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import jwt

from foundation.settings import stand_in_urls

ROOT = Path(__file__).resolve().parents[1]
NGINX_SITE = ROOT / "deploy/nginx/gemeente-assistent.conf"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_DB = 1
READY_TIMEOUT_S = 900.0  # loading a model takes minutes on a busy 2-core machine
JWT_SECRET = "scale-test-jwt-secret-of-at-least-32-bytes"
ACTION_TOKEN = "scale-test-action-token-of-at-least-32-bytes"
ORIGIN = "http://localhost:8000"


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether the local Redis (lock store, socket.io manager) answers."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def find_nginx() -> str | None:
    """Path of the nginx binary (Debian installs it in /usr/sbin), or None."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def admin_token(secret: str = JWT_SECRET) -> str:
    """A short-lived HS256 JWT for Rasa's HTTP API (role admin), as the employee tool sends."""
    now = int(time.time())
    return jwt.encode(
        {"user": {"username": "scale-test", "role": "admin"}, "iat": now, "exp": now + 3600},
        secret,
        algorithm="HS256",
    )


def render_nginx_site(text: str, upstreams: dict[str, list[str]], listens: list[int]) -> str:
    """Replace the ``server`` lines of the named upstreams and the ``listen`` ports of ``text``.

    The parameters of each upstream's first ``server`` line (``max_fails=...``) are kept for the
    new servers. ``listens`` replaces the ``listen`` directives in order of appearance.
    """
    for name, servers in upstreams.items():
        block = re.search(r"upstream " + re.escape(name) + r" \{(.*?)\n\}", text, re.S)
        if block is None:
            raise ValueError(f"no upstream {name!r} in the nginx config")
        lines = block.group(1).split("\n")
        server_lines = [n for n, line in enumerate(lines) if re.match(r"\s*server \S+( [^;]*)?;$", line)]
        if not server_lines:
            raise ValueError(f"upstream {name!r} has no server line")
        first = re.match(r"(\s*)server \S+( [^;]*)?;$", lines[server_lines[0]])
        assert first is not None
        indent, params = first.group(1), first.group(2) or ""
        new = [f"{indent}server {address}{params};" for address in servers]
        kept = [line for n, line in enumerate(lines) if n not in server_lines]
        at = server_lines[0]
        body = "\n".join(kept[:at] + new + kept[at:])
        text = text[: block.start(1)] + body + text[block.end(1) :]
    ports = iter(listens)
    text = re.sub(
        r"^(\s*)listen \d+;", lambda m: f"{m.group(1)}listen 127.0.0.1:{next(ports)};", text, flags=re.M
    )
    return text


@dataclass
class Service:
    """One started process."""

    name: str
    proc: subprocess.Popen
    url: str
    log: IO[str]


@dataclass
class Cluster:
    """The local production topology. Use as a context manager or call start()/stop()."""

    model: Path
    port_base: int
    instances: int = 2
    lock_lifetime_s: int = 10
    #: Logs, nginx configuration and the stand-in's database; a new temporary directory by default.
    workdir: Path = field(
        default_factory=lambda: Path(tempfile.gettempdir()) / f"gemeente-scale-{uuid.uuid4().hex[:8]}"
    )
    services: dict[str, Service] = field(default_factory=dict)
    database: str = field(default_factory=lambda: f"scale_{uuid.uuid4().hex[:10]}")
    key_prefix: str = field(default_factory=lambda: f"scale{uuid.uuid4().hex[:10]}")

    # ------------------------------------------------------------ addresses
    def port(self, k: int) -> int:
        return self.port_base + k

    @property
    def public_url(self) -> str:
        """nginx in front of the Rasa instances."""
        return f"http://127.0.0.1:{self.port(0)}"

    @property
    def actions_balancer_url(self) -> str:
        return f"http://127.0.0.1:{self.port(1)}"

    def rasa_url(self, i: int) -> str:
        """Instance ``i`` directly (0-based)."""
        return f"http://127.0.0.1:{self.port(10 + i)}"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.database}"

    @property
    def socketio_channel(self) -> str:
        return f"{self.key_prefix}-socketio"

    # ------------------------------------------------------------ environment
    def env(self) -> dict[str, str]:
        """Environment of every service: the production profile on loopback."""
        env = dict(os.environ)
        backend = f"http://127.0.0.1:{self.port(2)}"
        env.update({name.upper(): url for name, url in stand_in_urls(backend).items()})
        env.update(
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            ACTION_SERVER_URL=f"{self.actions_balancer_url}/webhook",
            POSTGRES_HOST="127.0.0.1",
            POSTGRES_PORT="5432",
            POSTGRES_DB=self.database,
            POSTGRES_USER="postgres",
            POSTGRES_PASSWORD="",
            REDIS_HOST="127.0.0.1",
            REDIS_PORT="6379",
            REDIS_PASSWORD="",
            REDIS_DB=str(REDIS_DB),
            TICKET_LOCK_LIFETIME_S=str(self.lock_lifetime_s),
            SQL_POOL_SIZE="3",
            SQL_MAX_OVERFLOW="2",
            SOCKETIO_REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
            SOCKETIO_REDIS_CHANNEL=self.socketio_channel,
            RASA_JWT_SECRET=JWT_SECRET,
            # endpoints.production.yml sends it as X-Action-Token; the cluster's action servers are
            # rasa-sdk's plain server behind nginx (the guarded one is tested in tests/actions)
            ACTION_SERVER_TOKEN=ACTION_TOKEN,
            DATABASE_URL=self.database_url,
            TRACKER_DB_URL=self.database_url,
            BACKEND_DATABASE_URL=f"sqlite:///{self.workdir / 'backend.db'}",
            WEBCHAT_ALLOWED_ORIGINS=ORIGIN,
        )
        return env

    def endpoints_file(self) -> Path:
        """endpoints.production.yml with this cluster's own lock key prefix."""
        text = (ROOT / "endpoints.production.yml").read_text(encoding="utf-8")
        changed = text.replace('key_prefix: "gemeente"', f'key_prefix: "{self.key_prefix}"')
        if changed == text:
            raise ValueError('endpoints.production.yml has no key_prefix "gemeente" to replace')
        path = self.workdir / "endpoints.yml"
        path.write_text(changed, encoding="utf-8")
        return path

    # ------------------------------------------------------------ processes
    def _start(
        self,
        name: str,
        command: list[str],
        url: str,
        health: str,
        env: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> Service:
        log_dir = self.workdir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        service = Service(name, proc, url, log)
        self.services[name] = service
        self._wait_healthy(service, url + health, headers or {})
        return service

    def _wait_healthy(self, service: Service, url: str, headers: dict[str, str]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if service.proc.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited ({service.proc.returncode}); "
                    f"see {self.workdir / 'log' / service.name}.log"
                )
            try:
                if httpx.get(url, headers=headers, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise RuntimeError(f"{service.name} not healthy at {url} within {READY_TIMEOUT_S:.0f} s")

    def start(self) -> Cluster:
        """Create the database, start everything in order and wait until each part is healthy."""
        if not self.model.exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make train`")
        nginx = find_nginx()
        if nginx is None:
            raise RuntimeError("nginx is not installed (scripts/ensure-nginx.sh installs Debian's package)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._create_database()
        env = self.env()
        venv = ROOT / ".venv/bin"
        backend = f"http://127.0.0.1:{self.port(2)}"
        self._start(
            "backend",
            [str(venv / "python"), "-m", "backend", "--host", "127.0.0.1", "--port", str(self.port(2))],
            backend,
            "/health",
            env,
        )
        for i in range(self.instances):
            port = self.port(20 + i)
            self._start(
                f"actions-{i + 1}",
                [str(venv / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                f"http://127.0.0.1:{port}",
                "/health",
                {**env, "SANIC_HOST": "127.0.0.1"},
            )
        self.start_nginx(list(range(self.instances)))
        endpoints = self.endpoints_file()
        for i in range(self.instances):
            self.start_rasa(i, endpoints, env)
        return self

    def start_rasa(self, i: int, endpoints: Path, env: dict[str, str]) -> Service:
        """Start Rasa instance ``i`` and wait until its model is loaded."""
        port = self.port(10 + i)
        return self._start(
            f"rasa-{i + 1}",
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "app.rasa_server",
                "run",
                "--model",
                str(self.model),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--enable-api",
                "--jwt-secret",
                JWT_SECRET,
                "--jwt-method",
                "HS256",
                "--cors",
                ORIGIN,
                "-i",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            self.rasa_url(i),
            "/status",
            env,
            headers={"Authorization": f"Bearer {admin_token()}"},
        )

    def nginx_conf(self, rasa_instances: list[int]) -> Path:
        """Write the nginx configuration for ``rasa_instances`` (indexes) behind the balancer."""
        nginx_dir = self.workdir / "nginx"
        for sub in ("", "tmp"):
            (nginx_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        os.chmod(nginx_dir, 0o755)
        os.chmod(nginx_dir / "tmp", 0o777)
        rasa = [f"127.0.0.1:{self.port(10 + i)}" for i in rasa_instances]
        actions = [f"127.0.0.1:{self.port(20 + i)}" for i in range(self.instances)]
        site = render_nginx_site(
            NGINX_SITE.read_text(encoding="utf-8"),
            {"rasa": rasa, "rasa_socketio": rasa, "actions": actions},
            [self.port(0), self.port(1)],
        )
        (nginx_dir / "site.conf").write_text(site, encoding="utf-8")
        tmp = nginx_dir / "tmp"
        main = f"""worker_processes 1;
pid {nginx_dir / "nginx.pid"};
error_log {nginx_dir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {nginx_dir / "access.log"};
    client_body_temp_path {tmp / "body"};
    proxy_temp_path {tmp / "proxy"};
    fastcgi_temp_path {tmp / "fastcgi"};
    uwsgi_temp_path {tmp / "uwsgi"};
    scgi_temp_path {tmp / "scgi"};
    include {nginx_dir / "site.conf"};
}}
"""
        path = nginx_dir / "nginx.conf"
        path.write_text(main, encoding="utf-8")
        return path

    def start_nginx(self, rasa_instances: list[int]) -> None:
        """Check and start nginx in the foreground (as our child process)."""
        nginx = find_nginx() or "nginx"
        conf = self.nginx_conf(rasa_instances)
        prefix = str(conf.parent)
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", prefix, "-c", str(conf)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        log_dir = self.workdir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / "nginx.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            [nginx, "-p", prefix, "-c", str(conf), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.services["nginx"] = Service("nginx", proc, self.public_url, log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited; see {log_dir / 'nginx.log'} and {prefix}/error.log")
            try:
                httpx.get(self.actions_balancer_url + "/health", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("nginx did not open its ports")

    def reload_nginx(self, rasa_instances: list[int]) -> None:
        """Put only ``rasa_instances`` behind the balancer (graceful reload of the running nginx)."""
        self.nginx_conf(rasa_instances)
        self.services["nginx"].proc.send_signal(signal.SIGHUP)
        time.sleep(2)  # old workers finish, new ones take over

    def kill(self, name: str) -> None:
        """Kill a service hard (SIGKILL), as a crash would."""
        service = self.services[name]
        os.killpg(service.proc.pid, signal.SIGKILL)
        service.proc.wait()

    def stop(self, keep_logs: bool = False) -> None:
        """Stop every process, drop the database and the Redis keys, remove the work directory.

        Args:
            keep_logs: Keep the work directory (logs, nginx configuration) for a post-mortem.
        """
        for service in reversed(list(self.services.values())):
            if service.proc.poll() is None:
                try:
                    os.killpg(service.proc.pid, signal.SIGTERM)
                    service.proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(service.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    service.proc.wait()
            service.log.close()
        self.services.clear()
        self._drop_database()
        self._delete_redis_keys()
        if not keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop(keep_logs=True)
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ shared state
    def _create_database(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.database}"'))
        engine.dispose()

    def _drop_database(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
        finally:
            engine.dispose()

    def _delete_redis_keys(self) -> None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        try:
            keys = list(client.scan_iter(f"{self.key_prefix}*"))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass
        finally:
            client.close()
