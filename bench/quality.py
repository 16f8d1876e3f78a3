"""6. Scheduling quality: the figures of `bench/scheduling_quality.py`, as benchmark lines.

How well our scheduler predicts recall on 12,580 real reviews (the py-fsrs sample in
shared/data), scored on the last 20 % in time; see that module for the protocol. Each metric is
one line: the value is our scheduler's ("flashdrop-fsrs6"), the baseline the constant predictor
(always the average recall rate: no skill), and SM-2 and FSRS-6 on real timestamps ride along.
The issue sets no target for these; lower log loss and RMSE, higher AUC are better.
"""

from __future__ import annotations

from bench.report import Figure, figure
from bench.scheduling_quality import DEFAULT_REVLOGS, evaluate, load

NAME = "scheduling_quality"


async def run(quick: bool) -> list[Figure]:
    by_model = {line["model"]: line for line in evaluate(load(DEFAULT_REVLOGS))}
    ours, constant = by_model["flashdrop-fsrs6"], by_model["constant"]
    figures = []
    for metric, unit in (("log_loss", "log loss"), ("rmse_bins", "RMSE"), ("auc", "AUC")):
        figures.append(
            figure(
                f"scheduling_{metric}",
                float(str(ours[metric])),
                unit,
                baseline=float(str(constant[metric])),
                digits=4,
                sm2=by_model["sm2"][metric],
                fsrs6_real_time=by_model["fsrs6-real-time"][metric],
                scored_reviews=ours["n"],
            )
        )
    return figures
