"""The independent checker of a race-week plan: everything a plan breaks, judged from the
problem alone (the rules engine under each client's policy, the therapists' hours, days off,
caps and buffers on the actual times), sharing nothing with the way ``raceweek`` made its
candidates, so a fault there cannot hide itself here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise

from rubdown.domain.clinic.raceweek import (
    Assignment,
    Phase,
    RaceWeekPlan,
    RaceWeekProblem,
    week_of,
)
from rubdown.domain.rules import SeasonIndex, check


def check_plan(problem: RaceWeekProblem, plan: RaceWeekPlan) -> list[str]:
    """Everything ``plan`` breaks, judged from the problem alone: each session against the
    rules engine under its client's policy, the therapists' hours, days off, caps and buffers
    on the actual times, one session per need, and an unserved entry for every need left."""
    problems: list[str] = []
    clients = {c.id: c for c in problem.clients}
    therapists = {t.id: t for t in problem.therapists}
    seen: set[tuple[str, Phase]] = set()
    for a in plan.assignments:
        what = f"{a.client_id} {a.phase} {a.kind} on {a.day} {a.times} with {a.therapist_id}"
        client, therapist = clients.get(a.client_id), therapists.get(a.therapist_id)
        if client is None or therapist is None:
            problems.append(f"{what}: unknown client or therapist")
            continue
        if (a.client_id, a.phase) in seen:
            problems.append(f"{what}: a second session for the same need")
        seen.add((a.client_id, a.phase))
        need = next((n for n in client.needs if n.phase is a.phase), None)
        if need is None or a.kind not in need.kinds:
            problems.append(f"{what}: not a kind the client needs")
        elif a.day not in need.days(client.race.day):
            problems.append(f"{what}: outside the {a.phase} week of {client.race.name}")
        if not problem.in_horizon(a.day):
            problems.append(f"{what}: outside the planned days")
        verdict = check(SeasonIndex(client.season), client.policy, a.day, a.kind)
        if not verdict.allowed:
            problems.append(f"{what}: the rules forbid it ({', '.join(verdict.rule_ids)})")
        service = problem.service(a.kind)
        if service is None or (service.length_min, service.buffer_min) != (
            a.length_min,
            a.buffer_min,
        ):
            problems.append(f"{what}: not the services table's length and buffer")
        if a.day in therapist.days_off or not any(
            w.start_minute <= a.start_minute and a.end_minute <= w.end_minute
            for w in therapist.hours.on(a.day)
        ):
            problems.append(f"{what}: outside the therapist's hours")
        for day, start, end in therapist.busy:
            if day == a.day and a.start_minute < end and start < a.end_minute + a.buffer_min:
                problems.append(f"{what}: on time the therapist has already booked")
    problems += _therapist_limits(problem, plan)
    problems += _client_overlaps(plan)
    placed = {(a.client_id, a.phase) for a in plan.assignments}
    left = {(u.client_id, u.phase) for u in plan.unserved}
    for client in problem.clients:
        for need in client.needs:
            key = (client.id, need.phase)
            if key not in placed and key not in left:
                problems.append(f"{client.id} {need.phase}: neither placed nor said unserved")
            if key in placed and key in left:
                problems.append(f"{client.id} {need.phase}: placed and said unserved")
    return problems


def _therapist_limits(problem: RaceWeekProblem, plan: RaceWeekPlan) -> list[str]:
    problems: list[str] = []
    by_day: dict[tuple[str, dt.date], list[Assignment]] = defaultdict(list)
    by_week: dict[tuple[str, dt.date], int] = defaultdict(int)
    for a in plan.assignments:
        by_day[(a.therapist_id, a.day)].append(a)
        by_week[(a.therapist_id, week_of(a.day))] += 1
    caps = {t.id: t for t in problem.therapists}
    for (tid, day), sessions in by_day.items():
        therapist = caps.get(tid)
        if therapist is None:
            continue
        hands_on = sum(a.length_min for a in sessions) + therapist.booked_min(day)
        if hands_on > therapist.max_hands_on_min_per_day:
            problems.append(
                f"{tid} on {day}: {hands_on} min hands-on, cap {therapist.max_hands_on_min_per_day}"
            )
        ordered = sorted(sessions, key=lambda a: a.start_minute)
        for first, second in pairwise(ordered):
            if first.end_minute + first.buffer_min > second.start_minute:
                problems.append(
                    f"{tid} on {day}: {first.times} and {second.times} overlap or leave less "
                    f"than {first.buffer_min} min between them"
                )
    for (tid, monday), count in by_week.items():
        therapist = caps.get(tid)
        if therapist is not None:
            count += therapist.booked_sessions(monday)
        if therapist is not None and count > therapist.max_sessions_per_week:
            problems.append(
                f"{tid} in the week of {monday}: {count} sessions, "
                f"cap {therapist.max_sessions_per_week}"
            )
    return problems


def _client_overlaps(plan: RaceWeekPlan) -> list[str]:
    by_client: dict[tuple[str, dt.date], list[Assignment]] = defaultdict(list)
    for a in plan.assignments:
        by_client[(a.client_id, a.day)].append(a)
    problems: list[str] = []
    for (cid, day), sessions in by_client.items():
        ordered = sorted(sessions, key=lambda a: a.start_minute)
        for first, second in pairwise(ordered):
            if first.end_minute > second.start_minute:
                problems.append(f"{cid} on {day}: two sessions at once")
    return problems
