"""Running an external converter (LibreOffice, OCRmyPDF) with a hard time limit."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def run_with_time_limit(command: list[str], seconds: float, *, cwd: Path | None = None,
                        env: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Run a command in its own process group; return (exit code, stderr). Raises TimeoutError after ``seconds``,
    having killed the whole group (converters start helper processes that outlive the launcher)."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True, cwd=cwd, env=env)
    try:
        _, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise TimeoutError(f"{Path(command[0]).name} ran past {seconds:g} s") from None
    return process.returncode, err
