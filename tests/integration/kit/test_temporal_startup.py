"""A service's Temporal client waits for the server at start-up: a service restarted while Temporal
is away comes up once Temporal does (the soak found services left down after such a restart), and
gives up with the connection error after its bound."""

import asyncio
import time

import pytest

from deploy.embedded import free_port, temporal_dev_server, wait_for_port
from services.kit.temporal_calls import connect_when_up


async def test_the_client_waits_for_temporal_to_come_up(tmp_path):
    port = free_port()
    server = temporal_dev_server(port, free_port(), tmp_path / "temporal")
    connecting = asyncio.create_task(connect_when_up(f"127.0.0.1:{port}", "default", wait=60))
    await asyncio.sleep(1.5)
    assert not connecting.done()  # nothing listens yet: still waiting, not failed
    server.start()
    try:
        wait_for_port(port, server.proc, "temporal dev server", timeout=60)
        client = await asyncio.wait_for(connecting, 30)
        assert (await client.service_client.check_health()) is True
    finally:
        server.stop()


async def test_it_gives_up_after_its_bound():
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="Failed client connect"):
        await connect_when_up(f"127.0.0.1:{free_port()}", "default", wait=1)
    assert time.monotonic() - started < 10
