"""`tdkt reorganize --apply` says what the plan's workflow is doing, in the words of its phase."""

from deploy.cli_central import progress_line


def test_each_phase_reads_as_what_is_being_done():
    assert (
        progress_line({"phase": "waiting", "effective": "2025-07-01"})
        == "[waiting] until the effective date 2025-07-01"
    )
    assert progress_line({"phase": "applying", "applied": [{}, {}]}) == "[applying] registries updated: 2 of 4 tiers"
    assert progress_line({"phase": "finding", "candidates": 12}) == "[finding] nominations in flight found so far: 12"
    assert (
        progress_line(
            {"phase": "transferring", "processed": 3, "candidates": 12, "counts": {"transferred": 2, "unchanged": 1}}
        )
        == "[transferring] 3/12 nominations re-routed (transferred 2, unchanged 1)"
    )
    # Applied, with the logs of two retired communes waiting for their business to end.
    deferred = {"district": {"deferred_count": 0}, "unit": {"deferred_count": 2}}
    assert progress_line({"phase": "deferred", "processed": 12, "candidates": 12, "succession": deferred}) == (
        "[deferred] 12/12 nominations re-routed; logs of retired agencies with business still open, "
        "closed as it ends: unit 2"
    )
