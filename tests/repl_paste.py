"""Paste code blocks into a Python REPL, one line at a time, as a reader would.

Run as a script in a fresh process: ``python repl_paste.py RESULT.json`` with a
JSON list of code blocks (strings) on stdin.  Every line of every block is fed
to one ``code.InteractiveConsole`` (the standard REPL's machinery, so a
compound statement needs a blank line to end, and a missing import is a
NameError), in order.  For each block RESULT.json records the exception class
names its statements raised, and whether the REPL was left waiting for more
input at the block's end (a block that would hang a reader's paste).
"""

from __future__ import annotations

import code
import json
import sys


class RecordingConsole(code.InteractiveConsole):
    def __init__(self) -> None:
        super().__init__(filename="<stdin>")
        self.raised: list[str] = []

    def showtraceback(self) -> None:
        self.raised.append(sys.exc_info()[0].__name__)
        super().showtraceback()

    def showsyntaxerror(self, filename=None, **kwargs) -> None:
        self.raised.append(sys.exc_info()[0].__name__)
        super().showsyntaxerror(filename, **kwargs)


def paste(blocks: list[str]) -> list[dict]:
    console = RecordingConsole()
    results = []
    for number, block in enumerate(blocks):
        console.raised = []
        more = False
        print(f"##### block {number}", file=sys.stderr, flush=True)
        # Each line ends with Enter; a last line without a newline gets the one
        # Enter a reader presses after pasting.
        lines = block.split("\n")
        if block.endswith("\n"):
            lines.pop()
        for line in lines:
            more = console.push(line)
        waiting = more
        if more:  # end the statement so the next block starts clean
            console.push("")
        results.append({"raised": console.raised, "left_waiting": waiting})
    return results


def main() -> int:
    blocks = json.load(sys.stdin)
    results = paste(blocks)
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(results, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
