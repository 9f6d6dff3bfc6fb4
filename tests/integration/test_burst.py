"""The reliability proof, small: a burst with duplicated, late and fault-injected deliveries
through the embedded stack ends with exactly the right documents and events.
`benchmarks/reliability.py` runs the same with 2,000 pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.burst import BurstConfig, run_burst

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_burst_with_duplicates_reordering_and_faults_loses_and_doubles_nothing() -> None:
    config = BurstConfig(
        pages=120,
        seed=3,
        versions_rate=0.2,
        delete_rate=0.1,
        bad_rate=0.05,
        duplicate_rate=0.4,
        late_rate=0.2,
        throttle_rate=0.08,
        put_events_failure_rate=0.08,
        kill_rate=0.03,
    )
    report = run_burst(ROOT / "template.yaml", config, stack_name="pagesift-burst-test")
    print("\n".join(report.lines()))
    # The run must have exercised what it claims to.
    assert report.duplicates_sent > 0 and report.late_sent > 0 and report.deletes > 0
    assert report.faults["throttled S3 reads"] > 0 and report.faults["failed PutEvents entries"] > 0
    assert report.worker["failed"] > 0  # some deliveries were retried by the queue
    # And come out whole.
    assert report.documents == report.expected_documents
    assert report.wrong_documents == []
    assert report.doubled_events == []
    assert report.stale_last_events == []
    assert report.unaccounted_failures == []
    assert report.dead_letters == 0
    assert report.ok
