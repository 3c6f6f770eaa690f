"""The signal guards of training and saving: what each does with a signal, the
exit status it remembers, the handlers put back, and nothing off the main
thread."""

import os
import signal
import threading

import pytest

from plainnet._signals import HoldSignals, SigtermAsInterrupt, StopOnInterrupt


def send(signum: int) -> None:
    os.kill(os.getpid(), signum)  # delivered before the next bytecode


def test_the_first_ctrl_c_asks_to_stop_and_the_second_interrupts():
    before = signal.getsignal(signal.SIGINT)
    with StopOnInterrupt() as stop:
        send(signal.SIGINT)
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):
            send(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_sigterm_calls_the_ctrl_c_handler_and_is_remembered():
    with StopOnInterrupt() as stop, SigtermAsInterrupt() as sigterm:
        send(signal.SIGTERM)
    assert stop.requested and sigterm.received and sigterm.status == 143
    assert SigtermAsInterrupt().status == 130


def test_sigterm_interrupts_when_ctrl_c_is_ignored():
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pytest.raises(KeyboardInterrupt), SigtermAsInterrupt():
            send(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.parametrize(
    "signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_a_held_signal_waits_and_a_second_one_interrupts(signum, status):
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    with HoldSignals() as held:
        send(signum)
        assert held.received == signum and held.status == status
        with pytest.raises(KeyboardInterrupt):
            send(signal.SIGINT)
    assert {n: signal.getsignal(n) for n in before} == before


def test_off_the_main_thread_the_guards_change_nothing():
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    seen = []

    def enter_all() -> None:
        with StopOnInterrupt(), SigtermAsInterrupt(), HoldSignals():
            seen.append({n: signal.getsignal(n) for n in before})

    thread = threading.Thread(target=enter_all)
    thread.start()
    thread.join()
    assert seen == [before]
