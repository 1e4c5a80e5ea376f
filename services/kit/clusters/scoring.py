"""A cluster's year: the pledge (giao ước thi đua) every member signs, the criteria, the scores
(each member's self-assessment, the members' peer assessments, the organiser's final score), the
ranking by the configured tie rule, and the proposals the ranking makes: a draft nomination at the
organiser for each rank the cluster's `awards_by_rank` names, with the ranking in its dossier, that
then takes the normal route. Each member's rank is recorded in its history (`cluster_rank`), where
the eligibility rules read it (a Cờ thi đua needs the cluster's lead). Functions never commit."""

import base64
import hashlib
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.clusters.models import Cluster, ClusterYear
from services.kit.clusters.schemas import RankIn, ScoreIn, SignIn, YearIn
from services.kit.clusters.service import audit, cluster_of, members_in_year, open_
from services.kit.dossier.service import add_document
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominees.service import record_authority_facts
from services.kit.proposals.service import create_draft
from services.kit.registry.service import agency_on
from shared.rules.ranking import TieError, rank


async def open_year(session: AsyncSession, *, caller: Caller, code: str, body: YearIn) -> ClusterYear:
    cluster = await cluster_of(session, code, caller, run=True)
    open_(cluster, date(body.year, 1, 1))
    if await session.get(ClusterYear, (code, body.year)) is not None:
        raise Conflict(f"{code} {body.year} is already open", vi=f"năm {body.year} của cụm, khối đã có")
    if len({c.code for c in body.criteria}) != len(body.criteria):
        raise Invalid("two criteria share a code", vi="hai tiêu chí trùng mã")
    year = ClusterYear(
        cluster_code=code,
        year=body.year,
        pledge_items=[item.strip() for item in body.pledge_items if item.strip()],
        criteria=[c.model_dump() for c in body.criteria],
    )
    session.add(year)
    await audit(session, cluster, caller, "year_opened", f"year:{body.year}", year=body.year)
    return year


async def year_of(session: AsyncSession, code: str, year: int, *, lock: bool = False) -> ClusterYear:
    found = await session.get(ClusterYear, (code, year), with_for_update=lock)
    if found is None:
        raise NotFound(f"cluster {code} has no year {year}: POST /clusters/{code}/years opens it")
    return found


def not_ranked(year: ClusterYear) -> None:
    if year.ranking is not None:
        raise Conflict(
            f"{year.cluster_code} {year.year} is ranked: its pledge and scores are final", vi="năm đã xếp hạng"
        )


async def acting_for(session: AsyncSession, cluster: Cluster, caller: Caller, member: str, year: int) -> None:
    """A member acts for itself; the organiser records what a member gave it (on paper, at the conference)."""
    if member not in await members_in_year(session, cluster.code, year):
        raise Invalid(
            f"{member} is not a member of {cluster.code} in {year}", vi=f"{member} không là thành viên năm {year}"
        )
    if caller.agency_code not in (member, cluster.organiser_agency):
        raise Forbidden(
            f"only {member} or the organiser may do this", vi=f"chỉ {member} hoặc cơ quan tổ chức cụm, khối"
        )


async def sign_pledge(
    session: AsyncSession, *, caller: Caller, code: str, year: int, body: SignIn, today: date
) -> ClusterYear:
    cluster = await cluster_of(session, code, caller)
    found = await year_of(session, code, year, lock=True)
    not_ranked(found)
    await acting_for(session, cluster, caller, body.agency_code, year)
    if body.agency_code in found.signed:
        raise Conflict(f"{body.agency_code} signed on {found.signed[body.agency_code]}", vi="thành viên đã ký giao ước")
    found.signed = {**found.signed, body.agency_code: today.isoformat()}
    session.add(found)
    await audit(
        session,
        cluster,
        caller,
        "pledge_signed",
        f"signed:{year}:{body.agency_code}",
        year=year,
        agency_code=body.agency_code,
    )
    return found


def total(points: dict[str, int], criteria: list[dict[str, Any]]) -> int:
    limits = {c["code"]: c["max_points"] for c in criteria}
    unknown, missing = sorted(set(points) - set(limits)), sorted(set(limits) - set(points))
    over = sorted(code for code, value in points.items() if code in limits and not 0 <= value <= limits[code])
    if unknown or missing or over:
        raise Invalid(
            f"points per criterion: unknown {unknown}, missing {missing}, outside 0..max {over}",
            vi=f"điểm từng tiêu chí chưa đúng (không có: {unknown}; thiếu: {missing}; vượt điểm tối đa: {over})",
        )
    return sum(points.values())


async def give_score(session: AsyncSession, *, caller: Caller, code: str, year: int, body: ScoreIn) -> ClusterYear:
    """Self: the member (or the organiser for it); peer: another member (or the organiser for it);
    final: the organiser only. A member that has not signed the pledge is not scored."""
    cluster = await cluster_of(session, code, caller)
    found = await year_of(session, code, year, lock=True)
    not_ranked(found)
    if body.agency_code not in found.signed:
        raise Conflict(
            f"{body.agency_code} has not signed {year}'s pledge", vi="thành viên chưa ký giao ước thi đua năm này"
        )
    points = total(body.points, found.criteria)
    mine = dict(found.scores.get(body.agency_code, {}))
    if body.kind == "final":
        if caller.agency_code != cluster.organiser_agency:
            raise Forbidden(
                "the organiser gives the final score", vi="điểm chính thức do cơ quan tổ chức cụm, khối chấm"
            )
        mine["final"] = body.points
    elif body.kind == "self":
        await acting_for(session, cluster, caller, body.agency_code, year)
        mine["self"] = body.points
    else:
        scorer = body.by_agency or caller.agency_code
        if scorer == body.agency_code:
            raise Invalid("a member does not peer-score itself", vi="thành viên không tự chấm chéo")
        await acting_for(session, cluster, caller, scorer, year)
        mine["peer"] = {**mine.get("peer", {}), scorer: body.points}
    found.scores = {**found.scores, body.agency_code: mine}
    session.add(found)
    scorer = body.by_agency or caller.agency_code
    key = f"score:{year}:{body.agency_code}:{body.kind}:{scorer}:{points}"
    await audit(
        session, cluster, caller, "scored", key, year=year, agency_code=body.agency_code, kind=body.kind, total=points
    )
    return found


def totals(found: ClusterYear) -> tuple[dict[str, Fraction], dict[str, Fraction], dict[str, Fraction]]:
    final, peer, own = {}, {}, {}
    for member in found.signed:
        scores = found.scores.get(member, {})
        if "final" not in scores:
            raise Conflict(f"{member} has no final score yet", vi=f"{member} chưa có điểm chính thức")
        final[member] = Fraction(sum(scores["final"].values()))
        if scores.get("peer"):
            peer[member] = Fraction(sum(sum(p.values()) for p in scores["peer"].values()), len(scores["peer"]))
        if "self" in scores:
            own[member] = Fraction(sum(scores["self"].values()))
    return final, peer, own


async def rank_year(
    session: AsyncSession, *, caller: Caller, code: str, year: int, body: RankIn, today: date
) -> ClusterYear:
    cluster = await cluster_of(session, code, caller, run=True)
    found = await year_of(session, code, year, lock=True)
    not_ranked(found)
    if not found.signed:
        raise Conflict("no member signed the pledge", vi="chưa thành viên nào ký giao ước")
    final, peer, own = totals(found)
    try:
        standings = rank(final, peer=peer, self_scores=own, tie_rule=cluster.tie_rule)
    except TieError as tie:
        raise Conflict(
            f"{', '.join(tie.tied)} are tied and the tie rule ({cluster.tie_rule}) does not separate them: "
            "settle their final scores",
            vi=f"{', '.join(tie.tied)} bằng điểm, quy tắc phân định không tách được: "
            "cơ quan tổ chức xem xét lại điểm chính thức",
        ) from None
    # Each under the name it had in the year it earned its place: after a merger the code may name
    # its successor (P91 was Kiên Giang in 2024 and is An Giang from 2025-07-01).
    names = {s.agency_code: await name_in(session, s.agency_code, year) for s in standings}
    found.ranking = [
        {"agency_code": s.agency_code, "agency_name": names[s.agency_code], "rank": s.rank, "final": str(s.final),
         "tie_broken_by": s.tie_broken_by}
        for s in standings
    ]  # fmt: skip
    found.ranked_on = today
    for s in standings:
        fact = {
            "kind": "cluster_rank", "year": year, "cluster_code": code, "cluster_name": cluster.name,
            "rank": s.rank, "members": len(standings), "organiser_agency": cluster.organiser_agency,
        }  # fmt: skip
        await record_authority_facts(session, caller=caller, nominee_id=s.agency_code, facts=[fact])
    if body.propose:
        found.proposals = await propose(session, caller, cluster, found, today)
    session.add(found)
    await audit(session, cluster, caller, "ranked", f"ranked:{year}", year=year, ranking=found.ranking)
    return found


async def name_in(session: AsyncSession, code: str, year: int) -> str:
    """The agency's name on the year's last day, or on the last day it was in force that year."""
    for day in (date(year, 12, 31), *(date(year, month, 1) for month in range(12, 0, -1))):
        if (agency := await agency_on(session, code, day)) is not None:
            return agency.name
    return code


def ranking_text(cluster: Cluster, found: ClusterYear) -> str:
    lines = [
        f"KẾT QUẢ BÌNH XÉT, XẾP HẠNG {cluster.name.upper()} NĂM {found.year}",
        f"Cơ quan tổ chức: {cluster.organiser_agency}",
        "",
    ]
    lines += [
        f"{r['rank']}. {r.get('agency_name', r['agency_code'])} ({r['agency_code']}): {r['final']} điểm"
        for r in found.ranking or []
    ]
    return "\n".join(lines) + "\n"


async def propose(
    session: AsyncSession, caller: Caller, cluster: Cluster, found: ClusterYear, today: date
) -> list[dict[str, Any]]:
    """A draft for each rank the cluster's configuration names, with the ranking in its dossier."""
    evidence = ranking_text(cluster, found).encode()
    made = []
    for row in found.ranking or []:
        award = cluster.awards_by_rank.get(str(row["rank"]))
        if award is None:
            continue
        agency = await agency_on(session, row["agency_code"], today)
        name = agency.name if agency else row["agency_code"]
        reason = f"Xếp thứ {row['rank']} {cluster.name} năm {found.year} ({row['final']} điểm)"
        draft = await create_draft(
            session, caller=caller, nominee_name=name, nominee_kind="collective", award_code=award, reason=reason,
            on=today, nominee_id=row["agency_code"], period_year=found.year,
        )  # fmt: skip
        await session.flush()
        await add_document(
            session, caller=caller, nomination_id=draft.id, kind="xac_nhan_thanh_tich",
            filename=f"xep-hang-{cluster.code}-{found.year}.txt", content_type="text/plain",
            content_base64=base64.b64encode(evidence).decode(), sha256=hashlib.sha256(evidence).hexdigest(),
        )  # fmt: skip
        made.append(
            {"agency_code": row["agency_code"], "rank": row["rank"], "award_code": award, "nomination_id": draft.id}
        )
    return made
