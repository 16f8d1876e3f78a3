"""How well the scheduler predicts recall, on real review logs.

Replays a review log (CSV: card_id, review_rating 1-4 on Anki's scale, review_time UTC ISO,
review_duration ms; by default the py-fsrs sample in shared/data) and prints one JSON line per
model: {"model", "log_loss", "rmse_bins", "auc", "n"}.

Protocol: each card's reviews are replayed in time order. Before every review that comes at
least one (real) day after the card's previous review, the model's predicted recall p is scored
against y = 1 if the rating is not Again. All reviews are split by time: the first 80 % may be
used for fitting, only the last 20 % are scored. Every model is scored on the same reviews.

Models:
- "flashdrop-fsrs6": our scheduler core (`bot.core.scheduling`) with default parameters, fed
  the study dates a member in UTC with the default 04:00 rollover would get. Anki's ratings go
  in as the FSRS ratings they name (Again/Hard/Good/Easy), through our 1-5 scale.
  p = FSRS retrievability on the review's study date.
- "fsrs6-real-time": the fsrs library fed the real review times, for comparison with
  published figures; the gap to the line above is the cost/benefit of whole study days.
- "sm2": SuperMemo-2 as Wozniak (1990) describes it. Anki rating 1/2/3/4 -> quality 0/3/4/5;
  intervals 1 day, 6 days, then interval x ease; ease starts at 2.5, changes after each
  successful repetition, never below 1.3; quality < 3 restarts at 1 day with ease unchanged;
  reviews less than a day after the previous one are SM-2's same-day drill and leave the
  schedule alone. SM-2 has no recall model, so, as srs-benchmark does, p = 0.9 ** (days since
  the repetition that set the interval / interval): 90 % when reviewed exactly on time.
  SM-2's figures depend on such details: across eight common variants this data gives log
  loss 0.51-0.66 (srs-benchmark's variant: 0.511).
- "constant": p = the mean of y over the scored-eligible reviews of the first 80 %.

Metrics: log loss (p clipped to [1e-6, 1 - 1e-6]); rmse_bins: predictions put in 20
equal-width bins of p, RMSE between each bin's mean p and mean y weighted by bin size; AUC by
the rank (Mann-Whitney) formula with tied predictions sharing their mean rank. (FSRS's and
srs-benchmark's "RMSE(bins)" groups reviews by interval, review number and lapses instead; with
that grouping this data gives 0.069 for FSRS-6 and 0.080 for the constant, the figures quoted
in SCHEDULING.md. Binning by p, as here, measures calibration alone and gives lower values.)

Run: .venv/bin/python bench/scheduling_quality.py [--revlogs PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs

from bot.core.models import Rating
from bot.core.ratings import RatingEvent, RatingSource
from bot.core.scheduling import (
    FSRS_RATING,
    MemberCardState,
    SchedulingSettings,
    retrievability,
    review,
)
from bot.core.study_dates import study_date

DEFAULT_REVLOGS = Path(__file__).resolve().parents[2] / "shared/data/fsrs-sample-revlogs.csv"
TRAIN_SHARE = 0.8
BINS = 20
EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Review:
    card_id: str
    anki_rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    at: datetime


@dataclass(frozen=True, slots=True)
class Scored:
    at: datetime
    p: float
    y: int


# A model replays one card's reviews and returns (time, p, y) for the scored ones.
Model = Callable[[Sequence[Review]], list[Scored]]


def load(path: Path) -> list[Review]:
    with path.open(newline="") as file:
        return [
            Review(
                row["card_id"],
                int(row["review_rating"]),
                datetime.fromisoformat(row["review_time"]),
            )
            for row in csv.DictReader(file)
        ]


def is_scored(previous: Review | None, current: Review) -> bool:
    return previous is not None and current.at - previous.at >= timedelta(days=1)


def recalled(review_: Review) -> int:
    return int(review_.anki_rating != 1)


# Our 1-5 scale value that maps onto each FSRS rating (the lowest, for Again).
_OUR_RATING = {
    fsrs_rating: min(ours for ours, mapped in FSRS_RATING.items() if mapped is fsrs_rating)
    for fsrs_rating in fsrs.Rating
}


def flashdrop_fsrs6(reviews: Sequence[Review]) -> list[Scored]:
    settings = SchedulingSettings(fuzzing=False)
    state: MemberCardState | None = None
    previous: Review | None = None
    scored = []
    for current in reviews:
        today = study_date(current.at, UTC)
        if state is not None and is_scored(previous, current):
            scored.append(
                Scored(current.at, retrievability(state, today, settings), recalled(current))
            )
        state = review(state, _event(current, today), settings)
        previous = current
    return scored


def _event(current: Review, today: date) -> RatingEvent:
    return RatingEvent(
        guild_id=0,
        user_id=0,
        deck_id="bench",
        card_id=current.card_id,
        rating=Rating(_OUR_RATING[fsrs.Rating(current.anki_rating)]),
        rated_at=current.at,
        study_date=today,
        source=RatingSource.BUTTON,
    )


def fsrs6_real_time(reviews: Sequence[Review]) -> list[Scored]:
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card(card_id=0, due=reviews[0].at)
    previous: Review | None = None
    scored = []
    for current in reviews:
        if is_scored(previous, current):
            p = scheduler.get_card_retrievability(card, current.at)
            scored.append(Scored(current.at, p, recalled(current)))
        card, _ = scheduler.review_card(card, fsrs.Rating(current.anki_rating), current.at)
        previous = current
    return scored


_SM2_QUALITY = {1: 0, 2: 3, 3: 4, 4: 5}


def sm2(reviews: Sequence[Review]) -> list[Scored]:
    repetitions, interval, ease = 0, 0.0, 2.5
    repetition: Review | None = None  # the review that set the current interval
    previous: Review | None = None
    scored = []
    for current in reviews:
        long_term = is_scored(previous, current)
        if repetition is not None and long_term:
            elapsed = (current.at - repetition.at).total_seconds() / 86400
            scored.append(Scored(current.at, 0.9 ** (elapsed / interval), recalled(current)))
        if previous is None or long_term:
            repetitions, interval, ease = _sm2_step(repetitions, interval, ease, current)
            repetition = current
        previous = current
    return scored


def _sm2_step(
    repetitions: int, interval: float, ease: float, current: Review
) -> tuple[int, float, float]:
    quality = _SM2_QUALITY[current.anki_rating]
    if quality < 3:
        return 0, 1.0, ease  # start over, ease unchanged (Wozniak 1990)
    interval = 1.0 if repetitions == 0 else 6.0 if repetitions == 1 else interval * ease
    ease = max(1.3, ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    return repetitions + 1, interval, ease


def log_loss(predictions: Sequence[Scored]) -> float:
    total = 0.0
    for scored in predictions:
        p = min(max(scored.p, EPSILON), 1 - EPSILON)
        total -= math.log(p) if scored.y else math.log(1 - p)
    return total / len(predictions)


def rmse_bins(predictions: Sequence[Scored]) -> float:
    bins: dict[int, list[Scored]] = defaultdict(list)
    for scored in predictions:
        bins[min(int(scored.p * BINS), BINS - 1)].append(scored)
    squared = sum(
        len(members) * (_mean(s.p for s in members) - _mean(s.y for s in members)) ** 2
        for members in bins.values()
    )
    return math.sqrt(squared / len(predictions))


def auc(predictions: Sequence[Scored]) -> float:
    ordered = sorted(predictions, key=lambda scored: scored.p)
    ranks = [0.0] * len(ordered)
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1].p == ordered[start].p:
            end += 1
        for index in range(start, end + 1):
            ranks[index] = (start + end) / 2 + 1  # tied predictions share their mean rank
        start = end + 1
    positives = sum(scored.y for scored in ordered)
    negatives = len(ordered) - positives
    positive_ranks = sum(rank for rank, scored in zip(ranks, ordered, strict=True) if scored.y)
    return (positive_ranks - positives * (positives + 1) / 2) / (positives * negatives)


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def evaluate(reviews: list[Review]) -> list[dict[str, object]]:
    by_card: dict[str, list[Review]] = defaultdict(list)
    for item in sorted(reviews, key=lambda r: r.at):
        by_card[item.card_id].append(item)
    cutoff = sorted(r.at for r in reviews)[int(len(reviews) * TRAIN_SHARE)]
    models: dict[str, Model] = {
        "flashdrop-fsrs6": flashdrop_fsrs6,
        "fsrs6-real-time": fsrs6_real_time,
        "sm2": sm2,
    }
    results = {}
    for name, model in models.items():
        results[name] = [scored for card in by_card.values() for scored in model(card)]
    train = [s for s in results["sm2"] if s.at < cutoff]
    average = _mean(s.y for s in train)
    results["constant"] = [Scored(s.at, average, s.y) for s in results["sm2"]]
    lines = []
    for name, predictions in results.items():
        test = [s for s in predictions if s.at >= cutoff]
        lines.append(
            {
                "model": name,
                "log_loss": round(log_loss(test), 4),
                "rmse_bins": round(rmse_bins(test), 4),
                "auc": round(auc(test), 4),
                "n": len(test),
            }
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revlogs", type=Path, default=DEFAULT_REVLOGS)
    args = parser.parse_args()
    for line in evaluate(load(args.revlogs)):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
