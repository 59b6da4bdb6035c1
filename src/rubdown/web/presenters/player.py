"""What the Today page's routine player records: a routine gone through, and pain felt in it.

A routine is logged as the terminal timer logs it (``routine_view.record_routine_run``): the
same record, the same checks, so ``rubdown log`` lists both alike.

"This hurts" adds a pain flag to the day's check-in. There is one check-in a day, so the flag
is merged into the stored one (its soreness, its other pain flags, fatigue, sleep and note
are kept) inside the transaction that reads it (``daily.update_checkin``), with the same
checks as any check-in. A dull ache never overwrites a red flag already recorded for
that region that day: red flags (X1) always win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from rubdown.domain.model import CheckIn, PainQuality, RoutineLog
from rubdown.domain.regions import Region
from rubdown.domain.routines import RoutineWhen
from rubdown.services import daily
from rubdown.services.alerts import RED_FLAG_RULE, rule_note
from rubdown.services.routine_view import record_routine_run
from rubdown.services.runner import Runner
from rubdown.services.today import day_routines
from rubdown.services.views import checkin_view
from rubdown.web.presenters.today import check_page_day


def log_player_run(
    app: Runner,
    when: RoutineWhen,
    *,
    steps_done: int,
    steps_skipped: int,
    seconds: float,
    completed: bool,
    day: dt.date | None = None,
    started_at: dt.datetime | None = None,
) -> RoutineLog:
    """Keep a routine the runner went through in the browser. As with the terminal timer, the
    day is the day it was done (today unless said), not the day whose routine was shown."""
    return record_routine_run(
        app,
        day or app.today(),
        when,
        started_at or app.clock(),
        steps_done=steps_done,
        steps_skipped=steps_skipped,
        seconds=seconds,
        completed=completed,
    )


# -- pain flags -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PainFlag:
    region: Region
    quality: PainQuality
    checkin: CheckIn  # the day's check-in with the flag merged in, as stored
    replaced: bool  # the day already had a check-in, now replaced by the merged one
    kept: PainQuality  # what the check-in holds for the region now (a red flag is kept)

    @property
    def red_flag(self) -> bool:
        return self.kept.is_red_flag


def merge_pain(
    existing: CheckIn | None, day: dt.date, region: Region, quality: PainQuality
) -> CheckIn:
    """The day's check-in with ``quality`` recorded for ``region``; everything else stays.
    A dull ache does not replace a red flag (sharp, numbness, tingling) of the same region."""
    base = existing if existing is not None else CheckIn(day)
    before = base.pain.get(region)
    if before is not None and before.is_red_flag and not quality.is_red_flag:
        quality = before
    return replace(
        base,
        day=day,
        soreness=dict(base.soreness),
        pain={**base.pain, region: quality},
    )


def flag_pain(
    app: Runner, region: Region, quality: PainQuality, day: dt.date | None = None
) -> PainFlag:
    """Record pain felt in ``region`` during a routine in the day's check-in (today by
    default), keeping all the check-in said before; the day's check-in is read and written
    in one transaction, so one saved from another tab at the same time is kept too."""
    on = day or app.today()
    check_page_day(on, app.today())
    result = daily.update_checkin(app, on, lambda earlier: merge_pain(earlier, on, region, quality))
    return PainFlag(region, quality, result.checkin, result.replaced, result.checkin.pain[region])


def pain_flag_view(app: Runner, flag: PainFlag) -> dict[str, Any]:
    """The flag, the check-in it went into and, for a red flag, what to do now: the rule's own
    words and sources and the day's stop advice, as the page and its banner give them."""
    view: dict[str, Any] = {
        "date": flag.checkin.day.isoformat(),
        "region": str(flag.region),
        "region_label": flag.region.label,
        "quality": str(flag.quality),
        "recorded": str(flag.kept),
        "red_flag": flag.red_flag,
        "checkin": checkin_view(flag.checkin, replaced=flag.replaced),
        "guidance": None,
    }
    if flag.red_flag:
        standing = rule_note(app.kb, RED_FLAG_RULE)
        advice = [
            a.message
            for a in day_routines(app, flag.checkin.day).warnings
            if RED_FLAG_RULE in a.rules
        ]
        view["guidance"] = {
            "rule_id": standing.id,
            # The page adds its own sentences after the rule's, so the rule's full stop goes.
            "rule_text": standing.text.rstrip(". "),
            "sources": list(standing.sources),
            "advice": advice,
        }
    return view
