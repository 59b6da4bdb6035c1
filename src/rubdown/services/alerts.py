"""What every page must put first: red flags that still stand (rule X1).

A red flag is sharp pain, numbness or tingling reported in a check-in; it stands for a few
days unless a later check-in of the same region clears it (``SeasonIndex.red_flags``). The
guidance is the rule's own words with its sources, so the banner is as traceable as any
recommendation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.model import Season
from rubdown.domain.rules import SeasonIndex
from rubdown.services.context import App

RED_FLAG_RULE = "X1"


@dataclass(frozen=True)
class RedFlagNotice:
    region: str
    quality: str
    since: dt.date


@dataclass(frozen=True)
class RedFlagGuidance:
    notices: tuple[RedFlagNotice, ...]
    rule_id: str
    rule_text: str
    sources: tuple[str, ...]  # source document titles


def standing_red_flags(app: App, day: dt.date | None = None) -> RedFlagGuidance:
    on = day or app.today()
    # Only check-ins bear on red flags; the rest of the season is not read.
    checkins = tuple(app.store.list_checkins(app.owner_id))
    flags = SeasonIndex(Season(checkins=checkins)).red_flags(on)
    notices = tuple(
        RedFlagNotice(str(region), str(quality), since)
        for region, (quality, since) in sorted(flags.items(), key=lambda item: str(item[0]))
    )
    rule = app.kb.rule(RED_FLAG_RULE)
    titles = tuple(app.kb.sources[key].title for key in rule.sources)
    # The banner adds its own sentences after the rule's, so the rule's full stop goes.
    return RedFlagGuidance(notices, rule.id, rule.text.rstrip(". "), titles)
