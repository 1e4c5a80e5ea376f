"""Clusters and blocs (cụm, khối thi đua), kept by their organiser (the Central Council's board, a
province or a ministry): members with dated membership, leaders and deputies with dated terms, and
closing a cluster after a reorganization with its history kept. Functions never commit."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.clusters.models import Cluster, ClusterLead, ClusterMember, ClusterYear
from services.kit.clusters.schemas import CloseIn, ClusterIn, LeadIn, MemberIn
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.registry.service import agency_on, chain_upwards
from shared.platform.audit import append_audit
from shared.rules.catalog import default_catalog

ORGANISER_TIERS = ("central", "province")
PROVINCE_KINDS = ("province", "city")  # a ministry has the province tier too, and organises across provinces


async def audit(session: AsyncSession, cluster: Cluster, caller: Caller, action: str, key: str, **details: Any) -> None:
    await append_audit(
        session,
        idempotency_key=f"cluster:{cluster.code}:{key}",
        at=datetime.now(UTC),
        agency_code=cluster.organiser_agency,
        actor=caller.officer_id,
        action=f"cluster.{action}",
        outcome="recorded",
        details={"cluster": cluster.code, **details},
    )


async def known_agency(session: AsyncSession, code: str, on: date) -> None:
    if await agency_on(session, code, on) is None:
        raise Invalid(
            f"unknown agency {code} on {on}: GET /agencies?q= finds its code",
            vi=f"không có cơ quan mã {code} tại ngày {on:%d/%m/%Y}: tra mã ở danh mục cơ quan",
        )


async def set_up_cluster(session: AsyncSession, *, caller: Caller, body: ClusterIn, today: date) -> Cluster:
    organiser = await agency_on(session, caller.agency_code, today)
    if organiser is None or organiser.tier not in ORGANISER_TIERS:
        raise Forbidden(
            "clusters and blocs are organised by the Central Council or a province or ministry",
            vi="cụm, khối thi đua do Hội đồng TĐKT Trung ương hoặc bộ, ngành, tỉnh tổ chức",
        )
    unknown = sorted(set(body.awards_by_rank.values()) - set(default_catalog().awards))
    if unknown:
        raise Invalid(
            f"unknown award codes {unknown}; GET /catalog/awards lists them", vi="mã hình thức khen thưởng không có"
        )
    if await session.get(Cluster, body.code) is not None:
        raise Conflict(f"the cluster code {body.code} is taken", vi=f"mã cụm, khối {body.code} đã có")
    cluster = Cluster(**body.model_dump(), organiser_agency=caller.agency_code, created_at=datetime.now(UTC))
    session.add(cluster)
    await audit(session, cluster, caller, "formed", "formed", name=body.name, kind=body.kind)
    return cluster


async def cluster_of(session: AsyncSession, code: str, caller: Caller, *, run: bool = False) -> Cluster:
    """The cluster, seen by its organiser or a member (others: absent); `run`: its organiser only."""
    cluster = await session.get(Cluster, code)
    if cluster is not None and cluster.organiser_agency == caller.agency_code:
        return cluster
    if cluster is not None and not run:
        members = await session.exec(
            select(ClusterMember).where(
                ClusterMember.cluster_code == code, ClusterMember.agency_code == caller.agency_code
            )
        )
        if members.first() is not None:
            return cluster
    if cluster is not None and run:
        raise Forbidden(
            f"cluster {code} is run by {cluster.organiser_agency}",
            vi=f"cụm, khối do {cluster.organiser_agency} tổ chức",
        )
    raise NotFound(f"no cluster {code} organised by or counting {caller.agency_code}")


def open_(cluster: Cluster, on: date) -> None:
    if cluster.closed_on is not None and on >= cluster.closed_on:
        raise Conflict(
            f"cluster {cluster.code} closed on {cluster.closed_on}; its history is kept",
            vi=f"cụm, khối {cluster.code} đã giải thể từ {cluster.closed_on:%d/%m/%Y}",
        )


async def members_on(session: AsyncSession, code: str, on: date) -> list[ClusterMember]:
    rows = await session.exec(select(ClusterMember).where(ClusterMember.cluster_code == code))
    return [m for m in rows.all() if m.starts_on <= on and (m.ends_on is None or on <= m.ends_on)]


async def members_in_year(session: AsyncSession, code: str, year: int) -> set[str]:
    rows = await session.exec(select(ClusterMember).where(ClusterMember.cluster_code == code))
    first, last = date(year, 1, 1), date(year, 12, 31)
    return {m.agency_code for m in rows.all() if m.starts_on <= last and (m.ends_on is None or m.ends_on >= first)}


async def lawful_member(session: AsyncSession, cluster: Cluster, agency_code: str, on: date) -> None:
    """A province's cụm or khối counts agencies of that province (domain.md §5: provincial clusters
    are organised by the provincial People's Committee for its own departments and units); the
    Central Council's and a ministry's may span provinces."""
    organiser = await agency_on(session, cluster.organiser_agency, on)
    if organiser is None or organiser.kind not in PROVINCE_KINDS:
        return
    if not any(a.code == organiser.code for a in await chain_upwards(session, agency_code, on)):
        raise Invalid(
            f"{agency_code} is not under {organiser.code} on {on}: a province's cluster counts its own agencies",
            vi=f"{agency_code} không thuộc {organiser.name} tại ngày {on:%d/%m/%Y}: cụm, khối thi đua của tỉnh "
            "gồm các cơ quan, đơn vị thuộc tỉnh",
        )


async def add_member(session: AsyncSession, *, caller: Caller, code: str, body: MemberIn) -> ClusterMember:
    cluster = await cluster_of(session, code, caller, run=True)
    open_(cluster, body.starts_on)
    await known_agency(session, body.agency_code, body.starts_on)
    await lawful_member(session, cluster, body.agency_code, body.starts_on)
    if any(m.agency_code == body.agency_code for m in await members_on(session, code, body.starts_on)):
        raise Conflict(f"{body.agency_code} is already a member on {body.starts_on}", vi="cơ quan đã là thành viên")
    member = ClusterMember(cluster_code=code, **body.model_dump())
    session.add(member)
    await audit(
        session,
        cluster,
        caller,
        "member_added",
        f"member:{body.agency_code}:{body.starts_on}",
        **body.model_dump(mode="json"),
    )
    return member


async def end_member(session: AsyncSession, *, caller: Caller, code: str, agency_code: str, on: date) -> ClusterMember:
    cluster = await cluster_of(session, code, caller, run=True)
    current = [m for m in await members_on(session, code, on - timedelta(days=1)) if m.agency_code == agency_code]
    if not current:
        raise Conflict(
            f"{agency_code} is not a member the day before {on}", vi="cơ quan không là thành viên trước ngày này"
        )
    current[0].ends_on = on - timedelta(days=1)
    session.add(current[0])
    await audit(
        session, cluster, caller, "member_left", f"left:{agency_code}:{on}", agency_code=agency_code, on=on.isoformat()
    )
    return current[0]


async def appoint_lead(session: AsyncSession, *, caller: Caller, code: str, body: LeadIn) -> ClusterLead:
    """A leader or deputy for a term: a member for the whole term, one of each role at a time."""
    cluster = await cluster_of(session, code, caller, run=True)
    open_(cluster, body.starts_on)
    if body.ends_on < body.starts_on:
        raise Invalid("the term ends before it starts", vi="nhiệm kỳ kết thúc trước khi bắt đầu")
    for day in (body.starts_on, body.ends_on):
        if not any(m.agency_code == body.agency_code for m in await members_on(session, code, day)):
            raise Conflict(
                f"{body.agency_code} is not a member on {day}",
                vi=f"{body.agency_code} không là thành viên tại {day:%d/%m/%Y}",
            )
    leads = await session.exec(
        select(ClusterLead).where(ClusterLead.cluster_code == code, ClusterLead.role == body.role)
    )
    if any(lead.starts_on <= body.ends_on and body.starts_on <= lead.ends_on for lead in leads.all()):
        raise Conflict(f"another {body.role} holds part of that term", vi="nhiệm kỳ trùng với trưởng/phó khác")
    lead = ClusterLead(cluster_code=code, **body.model_dump())
    session.add(lead)
    await audit(
        session, cluster, caller, "lead_appointed", f"lead:{body.role}:{body.starts_on}", **body.model_dump(mode="json")
    )
    return lead


async def close_cluster(session: AsyncSession, *, caller: Caller, code: str, body: CloseIn) -> Cluster:
    """Closed (after a merger, for example): memberships end, the years and rankings stay."""
    cluster = await cluster_of(session, code, caller, run=True)
    open_(cluster, body.on)
    for successor in body.successors:
        if await session.get(Cluster, successor) is None:
            raise Invalid(f"no cluster {successor} to succeed it: form it first", vi=f"chưa có cụm, khối {successor}")
    for member in await members_on(session, code, body.on):
        member.ends_on = body.on - timedelta(days=1)
        session.add(member)
    cluster.closed_on, cluster.closed_note, cluster.successors = body.on, body.note, body.successors
    session.add(cluster)
    await audit(session, cluster, caller, "closed", "closed", **body.model_dump(mode="json"))
    return cluster


async def cluster_out(session: AsyncSession, cluster: Cluster, on: date) -> dict[str, Any]:
    members = await session.exec(select(ClusterMember).where(ClusterMember.cluster_code == cluster.code))
    leads = await session.exec(select(ClusterLead).where(ClusterLead.cluster_code == cluster.code))
    years = await session.exec(
        select(ClusterYear).where(ClusterYear.cluster_code == cluster.code).order_by(col(ClusterYear.year))
    )
    return {
        **cluster.model_dump(mode="json", exclude={"created_at"}),
        "members": [m.model_dump(mode="json", exclude={"id", "cluster_code"}) for m in members.all()],
        "members_on": {
            "day": on.isoformat(),
            "codes": sorted(m.agency_code for m in await members_on(session, cluster.code, on)),
        },
        "leads": [lead.model_dump(mode="json", exclude={"id", "cluster_code"}) for lead in leads.all()],
        "years": [y.model_dump(mode="json", exclude={"cluster_code"}) for y in years.all()],
    }


async def clusters_of(session: AsyncSession, agency_code: str) -> list[Cluster]:
    """Those it organises and those it belongs (or belonged) to."""
    member_of = select(ClusterMember.cluster_code).where(ClusterMember.agency_code == agency_code)
    organised_or_member = or_(col(Cluster.organiser_agency) == agency_code, col(Cluster.code).in_(member_of))
    rows = await session.exec(select(Cluster).where(organised_or_member).order_by(col(Cluster.code)))
    return list(rows.all())
