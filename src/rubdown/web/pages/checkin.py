"""The Check-in page: a body map to mark soreness, pain and warning signs, fatigue and sleep,
injury episodes, and a heat map of the last weeks.

The map's values travel in ordinary form fields (``sore:<part>:<side>``, ``pain:<part>:<side>``,
and a checkbox ``sign:<part>:<side>:<sign>`` per warning sign) that ``static/js/bodymap.js``
keeps in step with the drawing, so the same form is also a plain list of regions for anyone
who cannot use the drawing. An unticked checkbox is not sent, so the form also sends
``signs=shown``: with it, a region without a ticked sign has none; without it (an older
page), the stored signs are kept. HTMX posts it to ``/ui/checkin/save``,
which stores it through ``web.presenters.body_map.save_map`` (``daily.check_in`` underneath, as the
command line and ``POST /api/checkins`` do) and answers with the confirmation and a fresh heat
map. Injury episodes open and close through ``services.daily`` and answer with their list.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from rubdown.domain.model import Condition, InjuryEpisode, PainQuality, Sign
from rubdown.domain.regions import BodyPart, Region
from rubdown.errors import InvalidValue
from rubdown.services import daily
from rubdown.services.runner import Runner
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.presenters import body_map as soreness
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)

FIELDS = frozenset({"date", "fatigue", "sleep", "note", "weeks", "signs"})
ENDED_SHOWN = 5  # the most recently ended episodes listed under the open ones
CONDITION_LABELS = {
    Condition.TIGHT_CALVES: "Tight calves",
    Condition.PLANTAR_FASCIITIS: "Plantar fasciitis",
    Condition.RUNNERS_KNEE: "Runner's knee",
    Condition.IT_BAND: "IT band syndrome",
    Condition.GLUTE_SCAR_TISSUE: "Glute scar tissue",
    Condition.OVERUSE: "Overuse injury",
    Condition.TIGHT_FEET: "Tight feet",
    Condition.SORE_FEET: "Sore feet",
}


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _whole(text: str, what: str) -> int | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError:
        raise InvalidValue(f"{what} must be a whole number, not {text!r}") from None


MapFields = tuple[
    dict[Region, int | None], dict[Region, PainQuality | None], dict[Region, frozenset[Sign]]
]


def _map_fields(fields: dict[str, str]) -> MapFields:
    """``sore:calf:left=4``, ``pain:calf:left=sharp`` and ``sign:calf:left:swelling=on`` to
    soreness, pain and warning signs per region (an empty value clears it); the ranges, and
    which regions may have which signs, are the service's to judge."""
    sore: dict[Region, int | None] = {}
    pain: dict[Region, PainQuality | None] = {}
    # With the page's marker, every shape's signs are given (none ticked: none).
    signs: dict[Region, set[Sign]] = (
        {region: set() for region in soreness.map_regions()} if "signs" in fields else {}
    )
    for key, value in fields.items():
        if key in FIELDS:
            continue
        kind, _, where = key.partition(":")
        part, colon, side = where.partition(":")
        if kind == "sign":
            side, _, name = side.partition(":")
            region = soreness.map_region(part, side)
            sign = parse.name(Sign, name, f"warning sign for {region}")
            signs.setdefault(region, set()).add(sign)
            continue
        if kind not in ("sore", "pain") or not colon:
            raise InvalidValue(
                f"unknown field {key!r}: expected sore:PART:SIDE, pain:PART:SIDE"
                " or sign:PART:SIDE:SIGN"
            )
        region = soreness.map_region(part, side)
        if kind == "sore":
            sore[region] = _whole(value, f"soreness for {region}")
        else:
            pain[region] = parse.optional_name(
                PainQuality, value or None, f"pain quality for {region}"
            )
    return sore, pain, {region: frozenset(found) for region, found in signs.items()}


def _injuries(app: Runner) -> dict[str, list[InjuryEpisode]]:
    episodes = daily.list_injuries(app)
    ended = sorted((e for e in episodes if e.end is not None), key=lambda e: e.end or e.start)
    return {
        "open": sorted((e for e in episodes if e.end is None), key=lambda e: e.start),
        "ended": ended[::-1][:ENDED_SHOWN],
    }


def _injuries_fragment(app: Runner) -> HTMLResponse:
    return render_fragment(
        "fragments/checkin_injuries.html",
        injuries=_injuries(app),
        conditions=CONDITION_LABELS,
        today=app.today(),
    )


@router.get("/checkin", response_class=HTMLResponse)
def checkin_page(
    request: Request, app: AppDep, date: str | None = None, weeks: int = soreness.DEFAULT_WEEKS
) -> HTMLResponse:
    day = soreness.map_day(app, parse.optional_day(date))
    checkin = app.data.checkin_on(day)
    today = app.today()
    return render_page(
        request,
        app,
        "pages/checkin.html",
        active="checkin",
        title="Check-in" if day == today else f"Check-in for {day.isoformat()}",
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1) if day < today else None,
        checkin=checkin,
        spots=soreness.body_map(checkin),
        pains=list(PainQuality),
        pain_labels=soreness.PAIN_LABELS,
        signs=list(Sign),
        sign_labels=soreness.SIGN_LABELS,
        fatigue_labels=soreness.FATIGUE_LABELS,
        sleep_labels=soreness.SLEEP_LABELS,
        heat=soreness.heatmap(app, weeks, today),
        weeks=weeks,
        parts=list(BodyPart),
        injuries=_injuries(app),
        conditions=CONDITION_LABELS,
    )


@router.post("/ui/checkin/save", response_class=HTMLResponse)
def save_checkin(app: AppDep, fields: FormFields) -> HTMLResponse:
    day = parse.optional_day(fields.get("date")) or app.today()
    # A field the form leaves out keeps the stored value (the page always sends them all).
    keep = soreness.KEEP
    sore, pain, signs = _map_fields(fields)
    result = soreness.save_map(
        app,
        day,
        sore,
        pain,
        note=fields.get("note", keep),
        fatigue=_whole(fields["fatigue"], "fatigue") if "fatigue" in fields else keep,
        sleep=_whole(fields["sleep"], "sleep") if "sleep" in fields else keep,
        signs_given=signs,
    )
    return render_fragment(
        "fragments/checkin_result.html",
        saved=soreness.saved_view(app, result),
        day=result.checkin.day,
        heat=soreness.heatmap(
            app, _whole(fields.get("weeks", ""), "weeks") or soreness.DEFAULT_WEEKS
        ),
        pain_labels=soreness.PAIN_LABELS,
        sign_labels=soreness.SIGN_LABELS,
    )


@router.post("/ui/checkin/injuries", response_class=HTMLResponse)
def open_injury(
    app: AppDep,
    part: Annotated[str, Form()],
    condition: Annotated[str, Form()],
    side: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
) -> HTMLResponse:
    daily.start_injury(
        app,
        soreness.episode_region(part, side),
        parse.name(Condition, condition, "condition"),
        parse.optional_day(date, "start date"),
    )
    return _injuries_fragment(app)


@router.post("/ui/checkin/injuries/{injury_id}/end", response_class=HTMLResponse)
def end_injury(
    app: AppDep,
    injury_id: str,
    date: Annotated[str, Form()] = "",
    helped: Annotated[str, Form()] = "",
) -> HTMLResponse:
    daily.end_injury(
        app, injury_id=injury_id, day=parse.optional_day(date, "end date"), helped=helped
    )
    return _injuries_fragment(app)
