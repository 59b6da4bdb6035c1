"""An independent plan checker: re-judges every planned session with the rules engine.

It shares nothing with the planner but the rules engine's ``check``: each session is judged
against the season plus every *other* planned session, and monthly spending is added up from
the plan itself.
"""

from __future__ import annotations

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import MassageSession, Profile, Season
from rubdown.domain.plan import Plan
from rubdown.domain.rules import SeasonIndex, check


def plan_problems(plan: Plan, season: Season, profile: Profile, kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    policy = kb.policy(profile.policy)
    planned = [MassageSession(s.day, s.kind, s.regions, s.price) for s in plan.sessions]
    for i, session in enumerate(plan.sessions):
        others = tuple(planned[:i] + planned[i + 1 :])
        index = SeasonIndex(season.with_sessions(season.sessions + others))
        verdict = check(index, policy, session.day, session.kind, session.regions)
        if not verdict.allowed:
            reasons = "; ".join(f.reason for f in verdict.findings if f.forbids)
            problems.append(f"{session.day} {session.kind}: forbidden by check: {reasons}")
        if not session.rules:
            problems.append(f"{session.day} {session.kind}: carries no rule ID")
        for rule_id in session.rules:
            if rule_id not in kb.rules:
                problems.append(f"{session.day} {session.kind}: unknown rule {rule_id}")
        if not session.reason:
            problems.append(f"{session.day} {session.kind}: no reason")
        if not plan.start <= session.day <= plan.end:
            problems.append(f"{session.day} {session.kind}: outside the plan")
    spent: dict[tuple[int, int], float] = {}
    for logged in season.sessions:
        key = (logged.day.year, logged.day.month)
        spent[key] = spent.get(key, 0.0) + logged.price
    planned_months = set()
    for session in plan.sessions:
        key = (session.day.year, session.day.month)
        if session.price:
            planned_months.add(key)
        spent[key] = spent.get(key, 0.0) + session.price
    for key in planned_months:
        if spent[key] > profile.budget_per_month + 1e-9:
            problems.append(f"{key[0]}-{key[1]:02d}: spends {spent[key]:g}, over the budget")
    return problems
