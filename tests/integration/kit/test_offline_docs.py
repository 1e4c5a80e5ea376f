"""The OpenAPI pages work on a network without internet: their scripts and styles come from the
service itself, not from a CDN."""

import re

from shared.contracts.tiers import Tier


async def test_docs_and_redoc_load_every_asset_from_the_service(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    for page in ("/docs", "/redoc"):
        html = await client.get(page)
        assert html.status_code == 200, html.text
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html.text)
        assert assets, f"{page} loads no script or style"
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from outside the service"
            served = await client.get(asset)
            assert served.status_code == 200 and len(served.content) > 100, asset
