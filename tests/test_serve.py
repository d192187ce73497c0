"""`make serve`: the app as in production, served by gunicorn, stopped cleanly."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_with_static_files_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        },
        "DEBUG": "off",
        "SECRET_KEY": "s" * 60,
        "FIELD_ENCRYPTION_KEYS": "f" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "WEB_CONCURRENCY": "2",
        "BIND": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                login = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/compte/connexion/", timeout=2
                )
                break
            except OSError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        assert login.status == 200
        page = login.read().decode()
        assert "Connexion" in page
        css = next(
            part.split('"')[0] for part in page.split('href="')[1:] if "bootstrap.min" in part
        )
        static = urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=5)
        assert static.status == 200
        assert "max-age" in static.headers.get("Cache-Control", "")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0
