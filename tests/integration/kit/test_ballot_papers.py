"""One ballot paper over a meeting's agenda (in process, the unit tier's real routers and database):
a member votes on every item at once and the rounds are counted at once, each vote and count the
single-item one; a paper with one refused item records nothing and names the item."""

from sqlmodel import func, select

from services.kit.councils.models import BallotVoter
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord
from tests.helpers import statements, those
from tests.integration.kit.test_councils import CHAIR, DAY, as_member, draft, make_council, member_id


async def agenda_of_three(client, sessions) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    council_id = await make_council(client, sessions, 5)
    ids = [await draft(client, "CSTD_TINH", f"Nguyễn Văn {name}") for name in ("An", "Bình", "Cường")]
    made = await client.post(
        f"/councils/{council_id}/meetings",
        headers=CHAIR,
        json={
            "held_on": DAY.isoformat(),
            "present": [member_id(i) for i in range(1, 6)],
            "items": [{"nomination_id": n, "award_code": "CSTD_TINH", "nominee_name": "x"} for n in ids],
        },
    )
    assert made.status_code == 201, made.text
    return made.json()["id"], ids


async def test_each_member_votes_on_the_whole_agenda_with_one_paper_and_the_rounds_are_counted_at_once(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    meeting_id, ids = await agenda_of_three(client, sessions)
    receipts = {}
    sent: list[str] = []
    for i in range(1, 6):
        # The third nominee gets four yes of five (80 %): not the 90 % a provincial CSTĐ needs.
        votes = [{"nomination_id": n, "vote": "no" if (n == ids[2] and i == 5) else "yes"} for n in ids]
        with statements(sessions) as paper_sent:
            paper = await client.post(f"/meetings/{meeting_id}/ballots", headers=as_member(i), json={"votes": votes})
        sent += paper_sent
        # The paper's items, rounds and both sets read once for the paper, not again for each item.
        box = ("FROM council_item", "FROM ballot_round", "FROM ballot_voter", "FROM ballot_vote")
        assert len(reads := those(sent, "SELECT", *box)) == 4 * i, reads
        # Each box is rewritten whole (both sets, in key order), but the first ballot finds it empty;
        # the paper's boxes together, in one statement per set, not two for each item.
        assert len(deletes := those(sent, "DELETE", "")) == 2 * (i - 1), deletes
        assert len(inserts := those(sent, "INSERT", "INTO ballot_vote")) == 2 * i, inserts  # voter and vote
        assert paper.status_code == 201, paper.text
        assert [r["nomination_id"] for r in paper.json()["receipts"]] == ids
        receipts[i] = paper.json()["receipts"][0]["receipt"]
    counted = await client.post(f"/meetings/{meeting_id}/close-rounds", headers=CHAIR, json={"nomination_ids": ids})
    assert counted.status_code == 200, counted.text
    items = counted.json()["items"]
    assert [(r["nomination_id"], r["yes"], r["no"], r["passed"]) for r in items] == [
        (ids[0], 5, 0, True),
        (ids[1], 5, 0, True),
        (ids[2], 4, 1, False),
    ]
    verify = await client.post(
        f"/meetings/{meeting_id}/receipts/verify", headers=as_member(1), json={"receipt": receipts[1]}
    )
    assert verify.json()["counted"] is True
    async with sessions() as session:
        audited = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "council.vote_recorded")
        assert (await session.exec(audited)).one() == 15  # one record per vote, as one by one


async def test_a_paper_with_one_refused_item_records_nothing_and_names_the_item(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=DAY)
    meeting_id, ids = await agenda_of_three(client, sessions)
    single = await client.post(
        f"/meetings/{meeting_id}/items/{ids[1]}/votes", headers=as_member(2), json={"vote": "yes"}
    )
    assert single.status_code == 201, single.text
    votes = [{"nomination_id": n, "vote": "yes"} for n in ids]
    refused = await client.post(f"/meetings/{meeting_id}/ballots", headers=as_member(2), json={"votes": votes})
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"].startswith(f"item {ids[1]}: you have already voted")
    async with sessions() as session:
        voters = (await session.exec(select(BallotVoter).where(BallotVoter.officer_id == member_id(2)))).all()
    assert len(voters) == 1  # the first item's vote on the refused paper was not kept
    unknown = await client.post(
        f"/meetings/{meeting_id}/ballots",
        headers=as_member(3),
        json={"votes": [{"nomination_id": ids[0], "vote": "yes"}, {"nomination_id": "not-on-agenda", "vote": "yes"}]},
    )
    assert unknown.status_code == 404 and "item not-on-agenda" in unknown.json()["detail"], unknown.text
    twice = await client.post(
        f"/meetings/{meeting_id}/ballots",
        headers=as_member(3),
        json={"votes": [{"nomination_id": ids[0], "vote": "yes"}, {"nomination_id": ids[0], "vote": "no"}]},
    )
    assert twice.status_code == 422 and "twice" in twice.json()["detail"], twice.text
    stranger = await client.post(
        f"/meetings/{meeting_id}/close-rounds", headers=as_member(4), json={"nomination_ids": ids}
    )
    assert stranger.status_code == 403, stranger.text
    # Nothing of the refused papers counted: member 3 votes now, once per item.
    again = await client.post(f"/meetings/{meeting_id}/ballots", headers=as_member(3), json={"votes": votes})
    assert again.status_code == 201, again.text
