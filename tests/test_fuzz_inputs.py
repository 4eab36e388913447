"""Fuzz: a few hundred generated malformed files of every input contract (tests/fuzz_corpus.py)
through the command line. Every case must end in exit 0, 1, 2 or 3, with exactly one
`planner: error:` line when it fails, and never an internal error or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_corpus import SCENARIO, cases
from helpers import invoke

from planner import scenario as scenario_layer
from planner.errors import PlannerError
from planner.schedule import rules_from_mapping

RULES = SCENARIO  # its [shifts] make a small, fast roster model


def _check(result, name: str) -> None:
    err = result.stderr
    assert "internal error" not in err and "Traceback" not in err, f"{name}: {err}"
    # 4: the roster search's clock stopped (a busy machine): written and on target
    assert result.exit_code in (0, 1, 2, 3, 4), f"{name}: exit {result.exit_code}: {err}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{name}: {result.exception!r}")
    errors = [line for line in err.splitlines() if line.startswith("planner: error:")]
    if result.exit_code in (1, 2):
        assert len(errors) == 1, f"{name}: {err}"
    else:
        assert errors == [], f"{name}: {err}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with one valid file of each kind (the cases replace one of them)."""
    from fuzz_corpus import BASES

    base = tmp_path_factory.mktemp("fuzz")
    for kind, make in BASES.items():
        name = {"scenario": "scenario.toml", "history": "history.csv"}.get(kind, f"{kind}.csv")
        (base / name).write_text(make(), encoding="utf-8")
    (base / "rules.toml").write_text(RULES, encoding="utf-8")
    # the requirements the simulation plays (timestamp,calls,aht,... as `planner staff` writes)
    made = invoke(["forecast", base / "history.csv", "--horizon", "7", "--start", "2026-02-09",
                   "--country", "none", "--model", "seasonal_naive", "-q",
                   "-o", base / "forecast.csv"])  # fmt: skip
    assert made.exit_code == 0, made.stderr
    made = invoke(["staff", base / "forecast.csv", "-o", base / "calls.csv"])
    assert made.exit_code == 0, made.stderr
    return base


def _write(folder: Path, name: str, data: bytes, suffix: str) -> Path:
    path = folder / f"{name}{suffix}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, data", cases("history", 80))
def test_history_files(workdir, tmp_path, name, data):
    path = _write(tmp_path, name, data, ".csv")
    result = invoke(["forecast", path, "--horizon", "1", "--country", "none",
                     "--model", "seasonal_naive", "-q", "-o", tmp_path / "out.csv"])  # fmt: skip
    _check(result, name)


@pytest.mark.parametrize("name, data", cases("scenario", 200))
def test_scenario_files(workdir, tmp_path, name, data):
    path = _write(workdir, name, data, ".toml")  # beside history.csv, which it names
    try:
        scenario_layer.load_scenario(path, rules_from_mapping)
    except PlannerError as exc:
        assert "\n" not in str(exc), f"{name}: {exc}"
    except Exception as exc:  # noqa: BLE001 - what the test is looking for
        raise AssertionError(f"{name}: {type(exc).__name__}: {exc}") from exc


@pytest.mark.slow
@pytest.mark.parametrize("name, data", cases("requirements", 40))
def test_requirements_files(workdir, tmp_path, name, data):
    path = _write(tmp_path, name, data, ".csv")
    result = invoke(["schedule", path, "--rules", workdir / "rules.toml", "--time-limit", "10",
                     "-o", tmp_path / "roster.csv"])  # fmt: skip
    _check(result, name)


@pytest.mark.slow
@pytest.mark.parametrize("name, data", cases("agents", 40))
def test_agents_files(workdir, tmp_path, name, data):
    path = _write(tmp_path, name, data, ".csv")
    result = invoke(["schedule", workdir / "requirements.csv", "--agents", path,
                     "--rules", workdir / "rules.toml", "--time-limit", "10",
                     "-o", tmp_path / "roster.csv"])  # fmt: skip
    _check(result, name)


@pytest.mark.parametrize("name, data", cases("roster", 50))
def test_roster_files(workdir, tmp_path, name, data):
    path = _write(tmp_path, name, data, ".csv")
    result = invoke(["simulate", "--roster", path, "--requirements", workdir / "calls.csv",
                     "--replications", "1", "--quiet", "-o", tmp_path / "sim.csv"])  # fmt: skip
    _check(result, name)
