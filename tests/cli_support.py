"""Running the installed `dailyseg` command as a person or a script would: in a pipe, or on a terminal.

The terminal is a real pseudo-terminal of a chosen size, so what Rich sees (isatty, the width) is what it
would see in a person's terminal window.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

EXECUTABLE = shutil.which("dailyseg", path=str(Path(sys.executable).parent)) or "dailyseg"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "DAILYSEG_DEBUG")}
    env["TERM"] = "xterm-256color"
    return env | (extra or {})


def in_pipe(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Done:
    """The command with standard output and error going to pipes, as in `dailyseg ... | grep`."""
    done = subprocess.run([EXECUTABLE, *args], input=stdin, capture_output=True, timeout=timeout, env=_environment(env), check=False)
    return Done(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def on_terminal(*args: str, columns: int = 80, rows: int = 24, env: dict[str, str] | None = None, timeout: float = 120) -> Done:
    """The command on a pseudo-terminal `columns` wide; both streams come back together, ANSI codes removed."""
    main, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [EXECUTABLE, *args], stdin=secondary, stdout=secondary, stderr=secondary, env=_environment(env), close_fds=True
    )
    os.close(secondary)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the terminal's last writer has gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=timeout)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    return Done(code, _ANSI.sub("", text), "")


def lines_longer_than(text: str, width: int) -> list[str]:
    return [line for line in text.splitlines() if len(line) > width]
