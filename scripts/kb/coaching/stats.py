"""Classical item analysis as pure numpy functions over answers in long format.

Answers are parallel arrays, one entry per answered question: `attempt` (row of the attempt),
`item` (column of the item) and `correct` (1.0 or 0.0). Long format lets quizzes whose
variants hold different items be analysed together, and keeps every statistic one bincount.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

DEFAULT_MIN_N, LOWEST_MIN_N = 10, 3
MIN_N = DEFAULT_MIN_N           # below this many observations a statistic is 数据不足 (report --min-n)
LOW_FACILITY, HIGH_FACILITY = 0.35, 0.95
LOW_DISCRIMINATION = 0.2


@dataclass(frozen=True)
class Stat:
    """A statistic with the number of observations behind it; `value` is None when undefined."""
    value: float | None
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N and self.value is not None


def fraction_change(right_before: int, asked_before: int, right_after: int, asked_after: int) -> float:
    """The change in percentage points between two scores, from the exact fractions right/asked,
    rounded once (half away from zero): 4/15 -> 6/15 is +13.3 however the scores were rounded."""
    change = (Fraction(right_after, asked_after) - Fraction(right_before, asked_before)) * 1000
    tenths = math.floor(abs(change) + Fraction(1, 2))
    return math.copysign(tenths / 10, change) if tenths else 0.0


def set_min_n(n: int) -> None:
    """The report's --min-n: at least LOWEST_MIN_N (the report shows a caution below the default)."""
    global MIN_N
    if n < LOWEST_MIN_N:
        raise ValueError(f"the minimum sample must be {LOWEST_MIN_N} or more, received {n}")
    MIN_N = int(n)


def stat(value, n) -> Stat:
    value = float(value)
    return Stat(None if np.isnan(value) else value, int(n))


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def facility(item: np.ndarray, correct: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(share of right answers, number of answers) per item."""
    n = np.bincount(item, minlength=n_items)
    right = np.bincount(item, weights=correct, minlength=n_items)
    return _divide(right, n), n


def rest_scores(attempt: np.ndarray, correct: np.ndarray, n_attempts: int) -> np.ndarray:
    """For each answer, the share right on the attempt's other questions (NaN if there are none).

    A share rather than a count, so attempts of different lengths compare; on a fixed form it
    is the rest-of-test score divided by a constant, which leaves correlations unchanged."""
    totals = np.bincount(attempt, weights=correct, minlength=n_attempts)
    counts = np.bincount(attempt, minlength=n_attempts)
    return _divide(totals[attempt] - correct, counts[attempt] - 1.0)


def grouped_correlation(group: np.ndarray, x: np.ndarray, y: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of x and y within each group, and the group sizes; NaN where a
    variable is constant (the correlation is undefined, not zero)."""
    keep = ~(np.isnan(x) | np.isnan(y))
    group, x, y = group[keep], x[keep], y[keep]
    n = np.bincount(group, minlength=n_groups).astype(float)
    mean_x = _divide(np.bincount(group, weights=x, minlength=n_groups), n)
    mean_y = _divide(np.bincount(group, weights=y, minlength=n_groups), n)
    dx, dy = x - mean_x[group], y - mean_y[group]     # centred first: exact for small n, stable for large
    sxy = np.bincount(group, weights=dx * dy, minlength=n_groups)
    sxx = np.bincount(group, weights=dx * dx, minlength=n_groups)
    syy = np.bincount(group, weights=dy * dy, minlength=n_groups)
    tiny = 1e-12 * np.maximum(n, 1)
    defined = (sxx > tiny) & (syy > tiny)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(defined, sxy / np.sqrt(np.where(defined, sxx * syy, 1.0)), np.nan)
    return r, n.astype(int)


def discrimination(attempt: np.ndarray, item: np.ndarray, correct: np.ndarray,
                   n_attempts: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Item-vs-rest-of-test correlation (corrected point-biserial) per item, and its n."""
    return grouped_correlation(item, correct, rest_scores(attempt, correct, n_attempts), n_items)


def most_chosen_wrong(item: np.ndarray, response: np.ndarray, correct: np.ndarray, blank: int,
                      n_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the wrong response given most often (code, -1 if none), how often, and the
    number of wrong non-blank answers. Ties go to the lowest response code."""
    wrong = (correct == 0) & (response != blank)
    n_wrong = np.bincount(item[wrong], minlength=n_items)
    codes = np.full(n_items, -1)
    counts = np.zeros(n_items, dtype=int)
    if wrong.any():
        width = int(response.max()) + 1
        pairs, pair_counts = np.unique(item[wrong].astype(np.int64) * width + response[wrong], return_counts=True)
        pair_item, pair_response = pairs // width, pairs % width
        order = np.lexsort((pair_response, -pair_counts, pair_item))
        firsts = order[np.r_[True, pair_item[order][1:] != pair_item[order][:-1]]]
        codes[pair_item[firsts]] = pair_response[firsts]
        counts[pair_item[firsts]] = pair_counts[firsts]
    return codes, counts, n_wrong


def kr20(matrix: np.ndarray) -> float:
    """KR-20 of a complete attempts × items 0/1 matrix (equal to Cronbach's alpha for 0/1
    items); population variances throughout, as in the original formula. NaN if undefined."""
    n, k = matrix.shape
    if k < 2 or n < 2:
        return float("nan")
    p = matrix.mean(axis=0)
    variance = matrix.sum(axis=1).var()
    if variance <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - float((p * (1 - p)).sum()) / variance))


def complete_matrix(attempt: np.ndarray, item: np.ndarray, correct: np.ndarray) -> np.ndarray | None:
    """The attempts × items matrix if every attempt answered exactly the same items, else None."""
    rows, row_of = np.unique(attempt, return_inverse=True)
    cols, col_of = np.unique(item, return_inverse=True)
    if len(attempt) != len(rows) * len(cols):
        return None
    matrix = np.full((len(rows), len(cols)), np.nan)
    matrix[row_of, col_of] = correct
    return None if np.isnan(matrix).any() else matrix


def first_and_last(group: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the earliest and the latest row of each group (ties: earlier row first)."""
    order = np.lexsort((np.arange(len(group)), time, group))
    sorted_group = group[order]
    starts = np.r_[True, sorted_group[1:] != sorted_group[:-1]] if len(order) else np.zeros(0, bool)
    ends = np.r_[sorted_group[1:] != sorted_group[:-1], True] if len(order) else np.zeros(0, bool)
    first, last = np.zeros(len(group), bool), np.zeros(len(group), bool)
    first[order[starts]] = True
    last[order[ends]] = True
    return first, last


def group_median(group: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Median of values per group (NaN for empty groups) and the group sizes."""
    n = np.bincount(group, minlength=n_groups)
    order = np.lexsort((values, group))
    ordered = values[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    median = np.full(n_groups, np.nan)
    has = n > 0
    low = starts[has] + (n[has] - 1) // 2
    high = starts[has] + n[has] // 2
    median[has] = (ordered[low] + ordered[high]) / 2
    return median, n


def group_mean(group: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    n = np.bincount(group, minlength=n_groups)
    return _divide(np.bincount(group, weights=values, minlength=n_groups), n), n


def item_flags(facility_value: Stat, discrimination_value: Stat) -> list[str]:
    """Why an item needs a look (Chinese labels for the report); none when data are too few."""
    flags = []
    if facility_value.enough:
        if facility_value.value < LOW_FACILITY:
            flags.append("太难")
        elif facility_value.value > HIGH_FACILITY:
            flags.append("太容易")
    if discrimination_value.enough:
        if discrimination_value.value < 0:
            flags.append("负区分度")
        elif discrimination_value.value < LOW_DISCRIMINATION:
            flags.append("区分度低")
    return flags
