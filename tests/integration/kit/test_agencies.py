"""Anyone can look an agency up: by code or by name with or without diacritics, and what became of
a retired one (its successors, and where it lives on today)."""

import unicodedata
from datetime import date

from shared.contracts.tiers import Tier

BEFORE, AFTER = date(2025, 5, 15), date(2025, 8, 1)


async def test_a_name_is_found_with_or_without_diacritics_and_without_a_token(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    answers = []
    for typed in ("Bình Sơn", "binh son", "BINH SON", unicodedata.normalize("NFD", "Bình Sơn")):
        r = await client.get("/agencies", params={"q": typed, "on": BEFORE.isoformat()})
        assert r.status_code == 200, r.text
        answers.append(r.json())
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert "C30823" in [a["code"] for a in answers[0]]
    assert all("binh son" in a["name"].lower().replace("ì", "i").replace("ơ", "o") for a in answers[0])

    by_code = (await client.get("/agencies", params={"q": "c30823", "on": BEFORE.isoformat()})).json()
    assert by_code[0]["code"] == "C30823"
    too_short = await client.get("/agencies", params={"q": "b"})
    assert too_short.status_code == 422


async def test_a_retired_commune_says_what_it_became(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    before = (await client.get("/agencies/C30820", params={"on": BEFORE.isoformat()})).json()
    assert before["in_force"] is not None and before["now_part_of"] == [] and before["parent"] is not None

    after = await client.get("/agencies/c30820", params={"on": AFTER.isoformat()})
    assert after.status_code == 200, after.text
    story = after.json()
    assert story["in_force"] is None
    assert story["successors"], story
    assert story["now_part_of"], story
    heir = story["now_part_of"][0]["code"]
    heir_story = (await client.get(f"/agencies/{heir}", params={"on": AFTER.isoformat()})).json()
    assert heir_story["in_force"] is not None
    assert "C30820" in [p["code"] for p in heir_story["predecessors"]]
    # Nothing of this needed a token: the registry is public.
    assert (await client.get("/agencies/NO-SUCH-CODE")).status_code == 404
