"""Ranking a cluster's (cụm, khối) year: the members' final scores decide, the configured tie rule
breaks ties, and a tie it cannot break is refused rather than settled by chance. Pure functions."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

# What breaks a tie of final totals, in order: the mean of the peers' totals, then the self-assessment.
TIE_RULES: dict[str, tuple[str, ...]] = {
    "peer_then_self": ("peer", "self"),
    "self_then_peer": ("self", "peer"),
    "peer": ("peer",),
    "none": (),
}


class TieError(ValueError):
    """Members the rule cannot separate: the organiser settles their final scores."""

    def __init__(self, tied: Sequence[str]) -> None:
        super().__init__(f"tied and not separated by the tie rule: {', '.join(tied)}")
        self.tied = tuple(tied)


@dataclass(frozen=True)
class Standing:
    agency_code: str
    rank: int
    final: Fraction
    peer: Fraction | None
    self_score: Fraction | None
    tie_broken_by: str | None = None


def rank(
    final: Mapping[str, Fraction],
    *,
    peer: Mapping[str, Fraction] | None = None,
    self_scores: Mapping[str, Fraction] | None = None,
    tie_rule: str = "peer_then_self",
) -> list[Standing]:
    """Members ordered best first with ranks 1..n; refused (TieError) when two cannot be separated."""
    peer, self_scores = peer or {}, self_scores or {}
    keys = {"peer": peer, "self": self_scores}
    order = TIE_RULES[tie_rule]

    def key(code: str) -> tuple[Fraction, ...]:
        return (final[code], *(keys[name].get(code, Fraction(-1)) for name in order))

    ranked = sorted(final, key=lambda code: (tuple(-part for part in key(code)), code))
    standings: list[Standing] = []
    for position, code in enumerate(ranked, start=1):
        same = [other for other in ranked if other != code and key(other) == key(code)]
        if same:
            raise TieError(sorted([code, *same]))
        standings.append(
            Standing(
                code, position, final[code], peer.get(code), self_scores.get(code), broken_by(code, ranked, key, order)
            )
        )
    return standings


def broken_by(
    code: str, ranked: list[str], key: Callable[[str], tuple[Fraction, ...]], order: tuple[str, ...]
) -> str | None:
    """The tie rule's step that separated `code` from the members with its final total, if any."""
    mine = key(code)
    steps = [
        next(i for i, (a, b) in enumerate(zip(mine, key(other), strict=True)) if a != b)
        for other in ranked
        if other != code and key(other)[0] == mine[0]
    ]
    return order[max(steps) - 1] if steps else None
