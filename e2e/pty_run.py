"""Runs a command on a pseudo-terminal, as a person at a terminal would,
and reports what the screen received, as one JSON line.

    python pty_run.py [--wait-for TEXT] [--quiet S] [--then ACTION] [--timeout S] -- CMD ARGS...

--wait-for TEXT  wait until TEXT appears in the output (a prompt)
--quiet S        then keep reading for S seconds: what arrives meanwhile is
                 reported as "after" (a prompt that stays on screen gets
                 nothing drawn over it: no carriage return, no escape code)
--then ACTION    then: "send:TEXT" (typed, with a newline), "signal:NAME"
                 (TERM, INT, ...), or "none"
--timeout S      the most the whole run may take (the command is killed after)

Report: {"saw": bool, "after": str, "exit": int|null, "output": str,
"seconds_after_action": float, "echo": bool}. "exit" is the exit code, or
minus the signal that ended the command; "echo" is whether the terminal
echoes what is typed once the command is gone (a password prompt cut short
must not leave it off).
"""

import argparse
import json
import os
import pty
import select
import signal
import sys
import termios
import time

p = argparse.ArgumentParser()
p.add_argument("--wait-for")
p.add_argument("--quiet", type=float, default=0.0)
p.add_argument("--then", default="none")
p.add_argument("--timeout", type=float, default=120.0)
p.add_argument("cmd", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

output = b""
deadline = time.monotonic() + a.timeout


def read_for(seconds):
    """Reads what arrives within `seconds`; False once the terminal closed."""
    global output
    end = min(time.monotonic() + seconds, deadline)
    got = b""
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return got, True
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return got, False
        if not chunk:
            return got, False
        got += chunk
        output += chunk


saw = a.wait_for is None
open_ = True
while not saw and open_ and time.monotonic() < deadline:
    _, open_ = read_for(0.05)
    saw = a.wait_for.encode() in output
after = b""
if saw and open_ and a.quiet > 0:
    after, open_ = read_for(a.quiet)
acted = time.monotonic()
if saw and open_:
    kind, _, arg = a.then.partition(":")
    if kind == "send":
        os.write(fd, arg.encode() + b"\n")
    elif kind == "signal":
        os.kill(pid, getattr(signal, "SIG" + arg))
while open_ and time.monotonic() < deadline:
    _, open_ = read_for(0.2)
code = None
for _ in range(50):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
    if time.monotonic() >= deadline:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
# The terminal's settings as the command left them (on Linux the master's
# termios calls read the terminal's own).
echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
print(json.dumps({
    "saw": saw,
    "after": after.decode(errors="replace"),
    "exit": code,
    "output": output.decode(errors="replace"),
    "seconds_after_action": round(time.monotonic() - acted, 2),
    "echo": echo,
}))
