"""Time left from the recent pace: a moving window of (step, time) samples, not the run's average.

The run's average carries the model loading, the first evaluation and any early slow steps into
every later estimate ("1 h left" at step 3 of a 5-minute run); a short window follows the pace the
run has now and settles within two updates after the pace changes.
"""

from __future__ import annotations

from collections.abc import Sequence

# Samples kept: two intervals, so a change of pace is fully reflected two updates later.
RATE_WINDOW = 3

Sample = tuple[int, float]  # (step, unix seconds)


def add_sample(samples: Sequence[Sequence[float]], step: int, at: float) -> list[list[float]]:
    """The window with (step, at) appended; a step that did not advance replaces nothing."""
    window = [list(s) for s in samples]
    if window and step <= window[-1][0]:
        return window
    window.append([step, at])
    return window[-RATE_WINDOW:]


def eta_seconds(samples: Sequence[Sequence[float]], step: int, total: int) -> float | None:
    """Seconds left at the window's pace; None until the window spans a step and some time."""
    if len(samples) < 2:
        return None
    (first_step, first_at), (last_step, last_at) = samples[0], samples[-1]
    steps, seconds = last_step - first_step, last_at - first_at
    if steps <= 0 or seconds <= 0:
        return None
    return max((total - step) * seconds / steps, 0.0)
