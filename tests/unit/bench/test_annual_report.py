"""The annual round's report says what was measured and what is only extrapolated."""

from bench.annual_result import AnnualResult, render

INFO = {
    "machine": {"nproc": 2, "cpu_model": "AMD EPYC", "memory_gib": 23.5, "python": "3.11.7"},
    "versions": {},
}


def _round(n: int, wall_s: float) -> AnnualResult:
    return AnnualResult(n=n, batches=n // 100, batch_size=100, concurrency=8, wall_s=wall_s, conferred=n)


def test_a_round_of_the_aims_size_is_reported_as_measured() -> None:
    report = render(_round(100_000, 3_240.0), INFO)
    assert "MEASURED: the round of 100,000 candidates took 0.90 h" in report
    assert "EXTRAPOLATED" not in report


def test_a_smaller_round_is_extrapolated_and_says_so() -> None:
    report = render(_round(2_000, 60.0), INFO)
    assert "EXTRAPOLATED, NOT MEASURED: 100,000 candidates at this rate would take 0.8 h" in report
    assert "MEASURED: the round" not in report
