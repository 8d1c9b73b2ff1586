"""Progress of a long benchmark: one line per configuration with a counter.

On a terminal the lines are redrawn in place after every run; otherwise (CI
logs) a configuration's line is printed when it reaches a quarter of its runs.
"""

import sys
import time


class Progress:
    def __init__(self, labels, runs, stream=sys.stderr):
        self.labels = list(labels)
        self.runs = runs
        self.stream = stream
        self.tty = stream.isatty()
        self.done = {label: 0 for label in self.labels}
        self.errors = {label: 0 for label in self.labels}
        self.last = {label: "" for label in self.labels}
        self.width = max(len(label) for label in self.labels)
        self._drawn = False

    def _line(self, label):
        count = f"{self.done[label]:>{len(str(self.runs))}}/{self.runs}"
        errors = f"  errors {self.errors[label]}" if self.errors[label] else ""
        return f"  {label:<{self.width}}  {count}  {self.last[label]}{errors}"

    def _draw(self):
        if self._drawn:
            self.stream.write(f"\x1b[{len(self.labels)}A")
        for label in self.labels:
            self.stream.write("\x1b[2K" + self._line(label) + "\n")
        self.stream.flush()
        self._drawn = True

    def message(self, text):
        """A line above the counters (on a terminal) or in sequence (in a log)."""
        redraw = self.tty and self._drawn
        if redraw:
            self.stream.write(f"\x1b[{len(self.labels)}A\x1b[J")
            self._drawn = False
        self.stream.write(text + "\n")
        if redraw:
            self._draw()
        self.stream.flush()

    def start(self):
        if self.tty:
            self._draw()

    def update(self, label, note, error=False):
        self.done[label] += 1
        if error:
            self.errors[label] += 1
        self.last[label] = note
        if self.tty:
            self._draw()
            return
        done = self.done[label]
        quarter = max(1, self.runs // 4)
        if done % quarter == 0 or done == self.runs or error:
            self.stream.write(self._line(label) + "\n")
            self.stream.flush()


class Status:
    """One progress line: redrawn in place on a terminal; in a log, printed when
    final or at most every `every` seconds."""

    def __init__(self, stream=sys.stderr, every=10.0):
        self.stream = stream
        self.tty = stream.isatty()
        self.every = every
        self.last = 0.0

    def show(self, text, final=False):
        now = time.monotonic()
        if self.tty:
            if final or now - self.last > 0.1:
                self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
                self.stream.flush()
                self.last = now
        elif final or now - self.last > self.every:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.last = now
