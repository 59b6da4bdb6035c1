"""``rubdown import`` sets the cyclic garbage collector for a batch while it imports (what was
loaded before frozen out of collection, young objects collected less often) and puts it back
as it was afterwards, also when the import fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from rubdown.cli.commands_import import _BATCH_YOUNG_THRESHOLD, _collector_for_a_batch


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_the_collector_is_set_for_a_batch_during_the_import(unfrozen: None) -> None:
    before = gc.get_threshold()

    with _collector_for_a_batch():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (_BATCH_YOUNG_THRESHOLD, *before[1:])

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failed_import_puts_the_collector_back(unfrozen: None) -> None:
    before = gc.get_threshold()

    with pytest.raises(KeyboardInterrupt), _collector_for_a_batch():
        raise KeyboardInterrupt

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_what_was_frozen_before_stays_frozen(unfrozen: None) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()

    with _collector_for_a_batch():
        pass

    assert gc.get_freeze_count() >= frozen > 0
