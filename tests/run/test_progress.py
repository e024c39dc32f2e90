"""A run's progress for the command line (flows.progress): steps and files reach the listener only while it listens."""

import io

from rich.console import Console

from flows import progress


class Recorder:
    def __init__(self):
        self.events = []

    def step(self, label, total):
        self.events.append(("step", label, total))

    def advance(self, n):
        self.events.append(("advance", n))


def test_nobody_listens_by_default():
    progress.step("Đọc tệp", 23)  # a served run: nothing to report to, nothing fails
    progress.advance(5)


def test_the_listener_gets_steps_and_files_while_listening():
    rec = Recorder()
    with progress.listening(rec) as got:
        assert got is rec
        progress.step("Đọc tệp", 23)
        progress.advance(22)
        progress.advance(0)  # nothing done: not reported
        progress.advance()
        progress.step("Ghi báo cáo")
    progress.step("sau khi dừng nghe", 1)
    assert rec.events == [("step", "Đọc tệp", 23), ("advance", 22), ("advance", 1), ("step", "Ghi báo cáo", None)]


def test_nested_listeners_restore_the_outer_one():
    outer, inner = Recorder(), Recorder()
    with progress.listening(outer):
        with progress.listening(inner):
            progress.advance(2)
        progress.advance(3)
    assert inner.events == [("advance", 2)] and outer.events == [("advance", 3)]


def test_rich_listener_draws_each_step():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=False)
    with progress.RichListener(console) as bar, progress.listening(bar):
        progress.step("Đọc tệp", 23)
        progress.advance(23)
        progress.step("Ghi báo cáo", 1)
        progress.advance(1)
    text = out.getvalue()
    assert "Đọc tệp" in text and "23/23" in text and "Ghi báo cáo" in text
