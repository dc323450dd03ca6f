"""The production stack's command lines run natively: the same secrets files, settings,
commands and nginx template as deploy/compose.yaml, on this machine's PostgreSQL and Redis
with Debian's nginx in front (no Docker daemon needed)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from easytune.testing.live import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX_DIR = DEPLOY / "nginx"
TEMPLATE = NGINX_DIR / "easytune.conf.template"
CERT_SCRIPT = NGINX_DIR / "easytune-cert.sh"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")

# The http{} block the nginx image wraps around conf.d/*.conf, with every path made local.
NGINX_MAIN = """{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log notice;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/easytune.conf;
}}
"""


def render_template(text: str, values: Mapping[str, str]) -> str:
    """What the nginx image's envsubst does: replace ${NAME} for the names that are set."""
    rendered = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    code = "\n".join(line.split("#", 1)[0] for line in rendered.splitlines())
    missing = sorted(set(PLACEHOLDER.findall(code)))
    if missing:
        raise ValueError(f"the nginx template needs {', '.join(missing)}")
    return rendered


def make_certificate(tls_dir: Path, server_name: str = "127.0.0.1") -> Path:
    """Run the nginx image's first-start certificate script; returns tls.crt."""
    env = {**os.environ, "NGINX_TLS_DIR": str(tls_dir), "NGINX_SERVER_NAME": server_name}
    subprocess.run(["sh", str(CERT_SCRIPT)], env=env, check=True, capture_output=True)
    return tls_dir / "tls.crt"


def write_secrets(folder: Path, database_url: str, broker_url: str) -> dict[str, str]:
    """The files start.sh writes (deploy/secrets/), and the _FILE variables pointing at them."""
    folder.mkdir(mode=0o700, parents=True)
    values = {
        "database_url": database_url,
        "broker_url": broker_url,
        "redis_url": broker_url,
        "secret_key": secrets.token_urlsafe(48),
        "admin_password": "Deploy-Test-" + secrets.token_hex(6),
    }
    env = {}
    for name, value in values.items():
        (folder / name).write_text(value)
        env[f"EASYTUNE_{name.upper()}_FILE"] = str(folder / name)
    return env


@dataclass
class Stack:
    """Processes of one native stack; every one is stopped by `stop_all`."""

    tmp: Path
    env: dict[str, str]
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    api_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A one-shot `easytune ...` (the migrate service)."""
        return subprocess.run(
            [sys.executable, "-m", "easytune", *args],
            env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}-{len(self.procs)}.log").open("ab")
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=log)
        self.procs.append((name, proc))
        return proc

    def easytune(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "-m", "easytune", *args])

    def start_nginx(self, web_root: Path, tls_dir: Path, max_upload: int) -> None:
        """Render the compose nginx template into a local config, check it, run nginx."""
        folder = self.tmp / "nginx"
        folder.mkdir()
        values = {
            "NGINX_HTTP_PORT": f"127.0.0.1:{self.http_port}",
            "NGINX_HTTPS_PORT": f"127.0.0.1:{self.https_port}",
            "NGINX_PUBLIC_HTTPS_PORT": str(self.https_port),
            "NGINX_TLS_DIR": str(tls_dir),
            "NGINX_CONF_DIR": str(NGINX_DIR),
            "NGINX_WEB_ROOT": str(web_root),
            "EASYTUNE_API_UPSTREAM": f"127.0.0.1:{self.api_port}",
            "EASYTUNE_MAX_UPLOAD_BYTES": str(max_upload),
        }
        conf = render_template(TEMPLATE.read_text(), values)
        (folder / "easytune.conf").write_text(conf)
        # As root, nginx's workers would switch to `nobody`, who cannot read pytest's tmp.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(NGINX_MAIN.format(tmp=folder, user=user))
        argv = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf")]
        check = subprocess.run([*argv, "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.start("nginx", [*argv, "-g", "daemon off;"])

    def stop_all(self) -> None:
        """SIGTERM everything (workers release their jobs), SIGKILL what does not stop."""
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        parts = sorted(self.tmp.glob("*.log")) + sorted((self.tmp / "nginx").glob("*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in parts)


def nginx_binary() -> str:
    """Debian's nginx (`make deploy-tools` installs it)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        raise FileNotFoundError("nginx")
    return found
