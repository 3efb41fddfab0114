"""The calibration fit: confidence is the share of claims that were right at each weight."""

from __future__ import annotations

from tests.benchmarks.calibrate import isotonic


def test_the_wrong_claims_at_a_weight_count_against_that_weights_step() -> None:
    # 60 claims at weight 5, half right; 100 at weight 8, 90 right. The ten wrong ones at 8
    # belong to the step of 8, which is right 90 % of the time, not 100 %.
    observed = [(5.0, n % 2 == 0) for n in range(60)] + [(8.0, n >= 10) for n in range(100)]
    assert isotonic(observed, min_step=40) == [[5.0, 50.0], [8.0, 90.0]]


def test_more_evidence_never_means_less_confidence() -> None:
    # Weight 6 did worse than weight 5 by chance: the two become one step.
    observed = [(5.0, n < 45) for n in range(60)] + [(6.0, n < 40) for n in range(60)]
    assert isotonic(observed, min_step=40) == [[5.0, 70.8]]
