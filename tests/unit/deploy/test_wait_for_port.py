"""A port counts as ready only when the child we started listens on it: a port another process
took after it was chosen must not pass for ours (a stack would then talk to someone else's
service, as a launcher test once did in CI)."""

import socket
import subprocess
import sys
import time

import pytest

from deploy.embedded import free_port, wait_for_port

SERVE = """
import socket, sys, time
time.sleep(float(sys.argv[2]))
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(30)
"""


def serve(port: int, after_s: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SERVE, str(port), str(after_s)], stderr=subprocess.DEVNULL)


def test_a_port_held_by_another_process_is_not_taken_for_the_childs() -> None:
    port = free_port()
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        child = serve(port, after_s=0)  # cannot bind: exits
        try:
            with pytest.raises(RuntimeError, match=f"port {port} is held by another process"):
                wait_for_port(port, child, "the child", timeout=10)
        finally:
            child.kill()
            child.wait()


def test_the_wait_ends_when_the_child_itself_listens() -> None:
    port = free_port()
    child = serve(port, after_s=0.5)
    try:
        began = time.monotonic()
        wait_for_port(port, child, "the child", timeout=10)
        assert time.monotonic() - began >= 0.4
    finally:
        child.kill()
        child.wait()
