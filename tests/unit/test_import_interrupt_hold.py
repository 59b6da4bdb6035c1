"""``importing._sigint_held``: a Ctrl-C while pool workers start is held back, then raised."""

from __future__ import annotations

import os
import signal

import pytest

from rubdown.services.importing import _sigint_held


def _interrupt_inside_the_block(steps: list[str]) -> None:
    with _sigint_held():
        os.kill(os.getpid(), signal.SIGINT)
        steps.append("the block went on after the Ctrl-C")


def test_a_ctrl_c_inside_the_block_is_raised_only_after_it() -> None:
    steps: list[str] = []

    with pytest.raises(KeyboardInterrupt):
        _interrupt_inside_the_block(steps)

    assert steps == ["the block went on after the Ctrl-C"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_block_leaves_sigint_unblocked_and_handled_as_before() -> None:
    with _sigint_held():
        assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())

    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
