"""Reading a runner's training log (FIT, GPX, TCX, Strava's activities.csv) and summarising it.

    activities, files, skipped = read_activities([folder])
    summary = summarise(activities, pain_start, today, files=files, skipped=skipped)
    summary.to_dict()

Importing this package is cheap: fitdecode and gpxpy are imported only when a file needs them.
The summary looks for the single-session spike of Frandsen et al. (Br J Sports Med 2025).
"""

from __future__ import annotations

from painadvisor.training.model import Activity, FileRead, Skipped, Sport
from painadvisor.training.scan import read_activities
from painadvisor.training.spike import Spike, SpikeCheck
from painadvisor.training.summary import TrainingSummary, summarise
from painadvisor.training.weeks import WeekTotal

__all__ = [
    "Activity", "FileRead", "Skipped", "Spike", "SpikeCheck", "Sport", "TrainingSummary", "WeekTotal",
    "read_activities", "summarise",
]
