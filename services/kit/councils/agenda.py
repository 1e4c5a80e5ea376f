"""What a meeting may put on its agenda, and the ballot rule each item votes under: the catalog's
mandatory ballot for the award, or the council's own default threshold. Functions never commit."""

import dataclasses
from datetime import date
from fractions import Fraction
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.models import Council
from services.kit.councils.schemas import ItemIn
from services.kit.errors import Invalid, NotFound
from services.kit.nominations.models import Nomination, Review
from services.kit.registry.service import agency_on
from shared.rules.ballot import BallotRule
from shared.rules.ballot_rules import BallotRules, default_ballot_rules
from shared.rules.catalog import default_catalog


async def check_agenda_nomination(session: AsyncSession, agency_code: str, entry: ItemIn) -> None:
    """The council reviews its own agency's proposals and what is pending at the agency."""
    if entry.award_code not in default_catalog().awards:
        raise Invalid(f"unknown award code '{entry.award_code}'; GET /catalog/awards lists the codes")
    nomination = await session.get(Nomination, entry.nomination_id)
    known = nomination.award_code if nomination and nomination.proposer_agency == agency_code else None
    if known is None:
        review = (
            await session.exec(
                select(Review).where(Review.nomination_id == entry.nomination_id, Review.agency_code == agency_code)
            )
        ).first()
        known = review.award_code if review else None
    if known is None:
        raise NotFound(f"nomination {entry.nomination_id} is neither proposed by nor reviewed at {agency_code}")
    if known != entry.award_code:
        raise Invalid(f"nomination {entry.nomination_id} proposes {known}, not {entry.award_code}")


async def ballot_rule_for(
    session: AsyncSession, council: Council, award_code: str, on: date, eligible: int, *, default_level: str
) -> BallotRule:
    """The catalog's ballot for the award at this council; for awards without a mandatory ballot,
    the council's default threshold under the same quorum and rounds. A council's own quorum may
    ask more of a meeting than the rule, never less: the rule's quorum is the law's floor."""
    agency = await agency_on(session, council.agency_code, on)
    level = agency.tier if agency else default_level
    rules = default_ballot_rules()
    rule = rules.rule_for(award_code, level, agency=council.agency_code) or optional_rule_for(
        rules, award_code, level, council, eligible
    )
    if council.quorum is not None and Fraction(council.quorum) > rule.quorum:
        rule = dataclasses.replace(
            rule,
            quorum=Fraction(council.quorum),
            basis=(*rule.basis, f"Tỷ lệ có mặt do Hội đồng quy định: {council.quorum}"),
        )
    return rule


def optional_rule_for(rules: BallotRules, award_code: str, level: str, council: Council, eligible: int) -> BallotRule:
    # rule_for answers None for these awards, but the council still needs its quorum and rounds.
    settings: dict[str, Any] = {
        "quorum": rules.defaults.quorum,
        "max_rounds": rules.defaults.max_rounds,
        "after_last_round": rules.defaults.after_last_round,
    }
    basis = [rules.defaults.citation.text()]
    for override in rules.overrides:
        if override.applies(level, None, council.agency_code):
            settings.update({key: value for key in settings if (value := getattr(override, key)) is not None})
            basis.append(override.citation.text())
    if council.default_threshold == "majority":
        threshold = Fraction(eligible // 2 + 1, eligible)
        basis.append("Không bắt buộc bỏ phiếu kín: quá bán tổng số thành viên Hội đồng (mặc định, có thể cấu hình)")
    else:
        threshold = Fraction(council.default_threshold)
        basis.append(f"Không bắt buộc bỏ phiếu kín: tỷ lệ do Hội đồng quy định {council.default_threshold}")
    return BallotRule(award=award_code, threshold=threshold, basis=tuple(basis), **settings)
