"""`easytune serve --ssl-certfile --ssl-keyfile`: https with HSTS, a self-signed certificate."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from easytune.cli import main
from easytune.testing.live import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _wait_ready(url: str, verify: ssl.SSLContext) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"{url}/readyz", verify=verify)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not become ready over https")


@pytest.mark.slow
def test_serve_over_tls_answers_https_with_hsts(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "EASYTUNE_DATA_DIR": str(tmp_path / "data"),
        "EASYTUNE_DEMO_ASSETS": "false",
        "EASYTUNE_ADMIN_PASSWORD": "a long tls test passphrase",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    command = [sys.executable, "-m", "easytune", "serve", "--port", str(port), "--no-worker",
               "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]  # fmt: skip
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        ready = _wait_ready(f"https://127.0.0.1:{port}", trusted)
        assert ready.status_code == 200
        assert ready.headers["strict-transport-security"] == "max-age=31536000"
        with pytest.raises(httpx.TransportError):  # plain http on the TLS port is refused
            httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        with pytest.raises(httpx.ConnectError):  # the self-signed cert is not trusted by default
            httpx.get(f"https://127.0.0.1:{port}/readyz")
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_refuses_a_key_without_a_certificate(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("not used")
    result = CliRunner().invoke(main, ["serve", "--ssl-keyfile", str(key)])
    assert result.exit_code == 2
    assert "give both --ssl-certfile and --ssl-keyfile" in result.output
