"""Named policies that settle where the source documents disagree.

The pre-race window for deep work is 1-2 days in one document (T1), 48 hours with a
Tuesday/Wednesday booking before a weekend race in another (T2), and a full week in a
third (T3). rubdown does not pick a winner silently: the runner chooses a policy, and every
answer says which one spoke.

Days are counted by local date: a race or hard workout on day R, a session on day D.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubdown.domain.model import PolicyName, Priority


@dataclass(frozen=True)
class Policy:
    name: PolicyName
    summary: str
    # Deep family allowed only if R - D >= this, for A/B races and for C races.
    deep_days_before_major_race: int
    deep_days_before_minor_race: int
    race_window_rules: tuple[str, ...]
    # After a deep-family session on D, no race or hard workout on D+1 .. D+this.
    hard_free_days_after_deep: int
    recovery_rules: tuple[str, ...]

    def deep_days_before(self, priority: Priority) -> int:
        if priority is Priority.C:
            return self.deep_days_before_minor_race
        return self.deep_days_before_major_race


# Rules that hold whatever the policy (their day counts are fixed by the sources).
NO_DEEP_ON_OR_AFTER_HARD_DAY = 1  # T5: not on the day of a race or hard workout, nor the day after
SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE = 2  # vigorous self-work stays out of the last 2 days
POST_EVENT_WINDOW_DAYS = 7  # a post-event session belongs to the week after the event


POLICIES: dict[PolicyName, Policy] = {
    PolicyName.CAUTIOUS: Policy(
        name=PolicyName.CAUTIOUS,
        summary="a full week of no deep work before an A or B race, 4 days before a C race",
        deep_days_before_major_race=8,
        deep_days_before_minor_race=4,
        race_window_rules=("T3", "T2"),
        hard_free_days_after_deep=3,
        recovery_rules=("M1", "T2", "T7"),
    ),
    PolicyName.STANDARD: Policy(
        name=PolicyName.STANDARD,
        summary="deep work up to the Wednesday before a Sunday race (4 days), 2 easy days after",
        deep_days_before_major_race=4,
        deep_days_before_minor_race=4,
        race_window_rules=("T2",),
        hard_free_days_after_deep=2,
        recovery_rules=("T2", "T7"),
    ),
    PolicyName.ADAPTED: Policy(
        name=PolicyName.ADAPTED,
        summary="for a body used to deep work: up to 3 days before a race, 1 easy day after",
        deep_days_before_major_race=3,
        deep_days_before_minor_race=3,
        race_window_rules=("T1",),
        hard_free_days_after_deep=1,
        recovery_rules=("T1", "T7"),
    ),
}


def policy_for(name: PolicyName) -> Policy:
    return POLICIES[name]
