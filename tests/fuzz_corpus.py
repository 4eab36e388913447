"""A generated corpus of malformed input files: each case is a valid small file of one DESIGN.md
contract with one or two faults applied (a fixed seed, so the corpus is the same on every run).

`cases(kind, n)` -> [(name, bytes)] for kind in history, scenario, requirements, agents, roster,
events, temperature, rules.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def _history() -> str:
    times = pd.date_range("2026-01-05", periods=24 * 21, freq="h")
    rows = [f"{t:%Y-%m-%dT%H:%M:%S},{(t.hour * 7 + t.day) % 40},{280 + t.hour}" for t in times]
    return "timestamp,calls,aht\n" + "\n".join(rows) + "\n"


def _requirements() -> str:
    times = pd.date_range("2026-02-09", periods=24 * 7, freq="h")
    rows = [f"{t:%Y-%m-%dT%H:%M:%S},{1 + (t.hour // 8) % 2}" for t in times]
    return "timestamp,staff\n" + "\n".join(rows) + "\n"


def _agents() -> str:
    """The first agents of the bundled list (its columns as DESIGN.md states them)."""
    lines = (REPO / "data" / "agents.csv").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:9]) + "\n"


ROSTER = (
    "agent,start,end,breaks,paid_hours,day,night_hours\n"
    "A1,2026-02-09T06:00:00,2026-02-09T14:00:00,,8,Mon,0\n"
    "A2,2026-02-09T14:00:00,2026-02-09T22:00:00,2026-02-09T18:00:00/2026-02-09T18:30:00,8,Mon,0\n"
    "A3,2026-02-09T22:00:00,2026-02-10T06:00:00,,8,Mon,6\n"
)
SCENARIO = """name = "fuzz"
[data]
history = "history.csv"
country = "none"
[forecast]
model = "seasonal_naive"
level = 80
[service]
sl_pct = 80
target_s = 20
shrinkage_pct = 30
max_occupancy_pct = 85
[shifts]
shift_lengths_h = [8]
start_step_min = 240
days_per_week = [5]
meal_break_min = 0
night_meal_break_min = 0
[run]
time_limit_s = 10
"""

EVENTS = (
    "start,end,label,multiplier\n"
    "2026-01-14,2026-01-14,storm,1.5\n"
    "2026-01-27,2026-01-28,campaign,1.2\n"
)


def _temperature() -> str:
    days = pd.date_range("2026-01-05", periods=28, freq="D")
    rows = [f"{d:%Y-%m-%d},{30 + d.day % 5}.0,{26 + d.day % 3}.5" for d in days]
    return "date,temp_max_c,temp_mean_c\n" + "\n".join(rows) + "\n"


# the roster rule tables of a run (what `planner schedule --rules` and `planner run` read)
RULES = """[shifts]
shift_lengths_h = [8]
start_step_min = 240
days_per_week = [5]
meal_break_min = 0
night_meal_break_min = 0
[labour]
min_rest_h = 12
min_weekly_rest_h = 24
max_weekly_hours = 48
max_consecutive_days = 6
coverage = "hard"
headcount_cap = 0
contract_tolerance_h = 8
[cost]
wage_per_hour = 40000
night_premium_pct = 30
currency = "VND"
"""

BASES = {
    "history": _history,
    "requirements": _requirements,
    "agents": _agents,
    "roster": lambda: ROSTER,
    "scenario": lambda: SCENARIO,
    "events": lambda: EVENTS,
    "temperature": _temperature,
    "rules": lambda: RULES,
}

ODD_CELLS = [
    "",
    " ",
    "-1",
    "1e308",
    "1e-300",
    "nan",
    "inf",
    "-inf",
    "0",
    "1e12",
    "9999-12-31T23:59:59",
    "0001-01-01",
    "2026-02-30T00:00:00",
    "abc",
    '"',
    '"quoted, comma"',
    "\u00e9\u4e2d",
    "1,5",
    "0x10",
    "12:00",
    "true",
    "300000",
    "9" * 400,
]

ODD_TOML_VALUES = [
    '""',
    '"prophet"',
    '"XX"',
    "-1",
    "1e-300",
    "1e300",
    "nan",
    "inf",
    "99.999",
    "0.0001",
    "true",
    "[]",
    "{}",
    "[1, 2]",
    '"bundled:nope.csv"',
    "9999-12-31",
    '"9999-W52"',
    "0",
    "7",
    "1",
    "30",
    '"\\u0000"',
]


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def _mutate_csv(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    if len(lines) < 2:  # a header alone (an earlier fault): a row of empty cells after it
        return (text.rstrip("\n") + "\n" + "," * text.count(",") + "\n").encode("utf-8", "replace")
    header = lines[0].split(",")
    kind = rng.randrange(19)
    if kind == 0:  # a cell replaced by an odd value
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(ODD_CELLS)
        lines[row] = ",".join(cells)
    elif kind == 1:  # a duplicated column name
        col = rng.choice(header)
        lines[0] = ",".join(header + [col])
        lines[1:] = [line + ",1" for line in lines[1:]]
    elif kind == 2:  # a header of only commas
        lines[0] = "," * (len(header) - 1)
    elif kind == 3:  # a missing column
        drop = rng.randrange(len(header))
        lines = [",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines]
    elif kind == 4:  # header only
        lines = lines[:1]
    elif kind == 5:  # a duplicated row
        row = rng.randrange(1, len(lines))
        lines.insert(row, lines[row])
    elif kind == 6:  # rows shuffled
        body = lines[1:]
        rng.shuffle(body)
        lines = lines[:1] + body
    elif kind == 7:  # a truncated last line
        lines[-1] = lines[-1][: max(1, len(lines[-1]) // 2)]
    elif kind == 8:  # an extra field
        row = rng.randrange(1, len(lines))
        lines[row] += ",extra"
    elif kind == 9:  # a NUL byte
        row = rng.randrange(len(lines))
        lines[row] = lines[row][:3] + "\x00" + lines[row][3:]
    elif kind == 10:  # CRLF and a BOM
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    elif kind == 11:  # not UTF-8
        return ("\n".join(lines) + "\n").encode("utf-16")
    elif kind == 12:  # a very wide header
        lines[0] = ",".join(header + [f"c{i}" for i in range(rng.choice([1000, 100_000]))])
    elif kind == 13:  # upper-case, spaced names
        lines[0] = ", ".join(h.upper() for h in header)
    elif kind == 14:  # only a BOM
        return b"\xef\xbb\xbf"
    elif kind == 15:  # every value of one column odd
        col = rng.randrange(len(header))
        value = rng.choice(ODD_CELLS)
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(",")
            if col < len(cells):
                cells[col] = value
            out.append(",".join(cells))
        lines = out
    elif kind == 16:  # blank lines and a comment-like line
        lines.insert(rng.randrange(1, len(lines) + 1), "")
        lines.insert(rng.randrange(1, len(lines) + 1), "# note")
    elif kind == 17:  # one cell thousands of times too large (a unit mistake)
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        col = len(cells) - 1
        try:
            cells[col] = str(float(cells[col]) * 1000)
        except ValueError:
            cells[col] = "1e9"
        lines[row] = ",".join(cells)
    else:  # half the file
        lines = lines[: max(2, len(lines) // 2)]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _mutate_toml(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    kind = rng.randrange(9)
    settable = [i for i, line in enumerate(lines) if " = " in line]
    if not settable or not lines:
        return (text + "\nname = 1\n").encode()
    if kind <= 3:  # a value replaced
        i = rng.choice(settable)
        key = lines[i].split(" = ")[0]
        lines[i] = f"{key} = {rng.choice(ODD_TOML_VALUES)}"
    elif kind == 4:  # a key dropped
        del lines[rng.choice(settable)]
    elif kind == 5:  # an unknown key or table
        lines.insert(rng.randrange(len(lines)), rng.choice(["colour = 1", "[labor]", "[data.x]"]))
    elif kind == 6:  # broken syntax
        i = rng.randrange(len(lines))
        lines[i] = lines[i][: max(1, len(lines[i]) - 2)]
    elif kind == 7:  # deep nesting
        depth = rng.choice([50, 2000])
        lines.append("deep = " + "[" * depth + "]" * depth)
    else:  # empty or BOM only
        return rng.choice([b"", b"\xef\xbb\xbf", b"\n\n# nothing\n"])
    return ("\n".join(lines) + "\n").encode()


def cases(kind: str, n: int, seed: int = 20260) -> list[tuple[str, bytes]]:
    """`n` malformed files of one kind (plus the valid base first)."""
    rng = random.Random(f"{seed}-{kind}")
    base = BASES[kind]()
    mutate = _mutate_toml if kind in ("scenario", "rules") else _mutate_csv
    out = [(f"{kind}-base", base.encode())]
    for i in range(n):
        data = mutate(base, rng)
        if rng.random() < 0.25:  # some get a second fault
            data = mutate(data.decode("utf-8", "replace"), rng)
        out.append((f"{kind}-{i:03d}", data))
    return out
