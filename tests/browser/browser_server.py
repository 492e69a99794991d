"""`ombud serve` as a person would run it — a subprocess on a free localhost port, over the test store, sending
through the test SMTP sink — and stopped at the end. Its output goes to a log file shown when a test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from browser_mail import free_port

STARTUP_SECONDS = 60.0


class Server:
    def __init__(self, database_url: str, folder: Path, smtp_port: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "serve.log"
        self.environment = {
            **os.environ,
            "OMBUD_SMTP_HOST": "127.0.0.1",
            "OMBUD_SMTP_PORT": str(smtp_port),
            "OMBUD_SMTP_TLS": "none",
            "OMBUD_SMTP_TIMEOUT_SECONDS": "5",
            "OMBUD_MAIL_FROM": "Kundtjänst Testbutiken <kundtjanst@testbutiken.example>",
            # the workers pass every second, so a reply is delivered and an import is read within a few seconds
            "OMBUD_SERVE_INTERVAL_SECONDS": "1",
            "OMBUD_UPLOAD_DIR": str(folder / "uploads"),
            "PYTHONUNBUFFERED": "1",  # the log is whole when a test fails
        }
        for name in ("OMBUD_SMTP_USER", "OMBUD_SMTP_PASSWORD", "OMBUD_TEMPLATES_DIR", "OMBUD_COOKIE_SECURE"):
            self.environment.pop(name, None)
        self.command = [
            sys.executable,
            "-m",
            "ombud",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--tier",
            "fast",
            "--db",
            database_url,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command, env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"`ombud serve` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).json() == {"status": "ok", "database": "ok"}:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"`ombud serve` did not answer /health in {STARTUP_SECONDS:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # as Ctrl-C: uvicorn shuts down, the workers stop
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
