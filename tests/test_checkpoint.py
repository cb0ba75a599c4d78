"""A long job killed mid-way loses only the problem it was running (issue 14): the checkpoint
record, its damage handling, and the runners that read it back."""

import json
import math

import pytest

from linrfm_paper.checkpoint import Checkpoint
from linrfm_paper.experiments import completion, threshold
from linrfm_paper.experiments.completion import Draw, run_completion_cell
from linrfm_paper.experiments.standard import run_standard

PARAMS = {"rule": "fig3_run", "settings": {"max_iter": 10}}


def test_rows_round_trip_exactly_and_other_parameters_discard(tmp_path):
    path = tmp_path / ".t.csv.checkpoint.jsonl"
    rows = [{"test_mse": 0.1 + 0.2, "n_iter": 7, "nan": math.nan, "ok": True, "s": "x"}]
    Checkpoint(path, PARAMS).put("975:0", rows)
    again = Checkpoint(path, PARAMS).get("975:0")
    assert again[0]["test_mse"] == 0.1 + 0.2 and math.isnan(again[0]["nan"])
    assert {k: v for k, v in again[0].items() if k != "nan"} == {
        k: v for k, v in rows[0].items() if k != "nan"
    }
    assert Checkpoint(path, {**PARAMS, "settings": {"max_iter": 11}}).get("975:0") is None
    assert not path.exists()  # the stale record is removed


def test_a_line_cut_short_by_a_kill_is_dropped_and_the_next_one_starts_cleanly(tmp_path):
    path = tmp_path / ".t.csv.checkpoint.jsonl"
    cp = Checkpoint(path, PARAMS)
    cp.put("a", [{"x": 1}])
    cp.put("b", [{"x": 2}])
    text = path.read_text()
    path.write_text(text[: len(text) - 5])  # SIGKILL in the middle of writing "b"
    cp = Checkpoint(path, PARAMS)
    assert cp.get("a") == [{"x": 1}] and cp.get("b") is None
    cp.put("c", [{"x": 3}])
    again = Checkpoint(path, PARAMS)
    assert again.get("a") == [{"x": 1}] and again.get("c") == [{"x": 3}]
    assert all(json.loads(line) for line in path.read_text().splitlines())
    again.finish()
    assert not path.exists()


def test_a_killed_head_line_discards_the_record(tmp_path):
    path = tmp_path / ".t.csv.checkpoint.jsonl"
    path.write_text('{"finger')
    assert Checkpoint(path, PARAMS).done == {}


class Counting:
    """Stands in for run_completion: success iff n >= 50, counts calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, method, d1, d2, rank, n, seed, settings, noise_std=0.0):
        self.calls += 1
        mse = 1e-4 if n >= 50 else 1.0
        return [{"protocol": p, "test_mse": mse} for p in ("paper", "honest")]


def test_threshold_search_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    runs = Counting()
    monkeypatch.setattr(completion, "run_completion", runs)
    path = tmp_path / ".fig4.csv.checkpoint.jsonl"
    kw = dict(rel_tol=0.05, target_mse=1e-3)
    first = threshold.find_threshold(
        "linrfm_a0.5", 10, 1, [0, 1], {}, **kw, checkpoint=Checkpoint(path, PARAMS)
    )
    assert runs.calls > 0
    done = runs.calls
    again = threshold.find_threshold(
        "linrfm_a0.5", 10, 1, [0, 1], {}, **kw, checkpoint=Checkpoint(path, PARAMS)
    )
    assert runs.calls == done  # every (n, seed) read back
    for a, b in zip(first, again, strict=True):
        assert a["threshold_n"] == b["threshold_n"] and a["trace"] == b["trace"]
        assert 50 <= a["threshold_n"] <= 53  # within rel_tol of the true cut


def test_cell_resumes_lin_rfm_draws_and_networks(tmp_path, monkeypatch):
    settings = {
        "ridges": [1e-2],
        "max_iter": 50,
        "tol": 1e-9,
        "target_mse": 1e-3,
        "val_fraction": 0.1,
        "split_seed": 0,
    }
    draws = [Draw(60, 0), Draw(80, 1)]
    path = tmp_path / ".c.csv.checkpoint.jsonl"
    first = run_completion_cell(
        "linrfm_a1", 12, 12, 2, draws, settings, checkpoint=Checkpoint(path, PARAMS)
    )
    monkeypatch.setattr(completion, "run_completion", lambda *a, **k: pytest.fail("rerun"))
    again = run_completion_cell(
        "linrfm_a1", 12, 12, 2, draws, settings, checkpoint=Checkpoint(path, PARAMS)
    )
    assert [r["test_mse"] for r in again] == [r["test_mse"] for r in first]

    nets = {
        "lr": 3e-2,
        "max_steps": 100,
        "check_every": 20,
        "tol": 1e-4,
        "target_mse": 1e-3,
        "val_fraction": 0.1,
        "split_seed": 0,
    }
    npath = tmp_path / ".n.csv.checkpoint.jsonl"
    cp = Checkpoint(npath, PARAMS)
    cp.put("80:1:0.0", [{"protocol": "paper", "test_mse": -1.0}])  # as a killed run left it
    batched = []
    real = completion._net_rows_batched
    monkeypatch.setattr(
        completion, "_net_rows_batched", lambda P, S, *a: batched.append(S) or real(P, S, *a)
    )
    rows = run_completion_cell("dln2", 12, 12, 2, draws, nets, checkpoint=Checkpoint(npath, PARAMS))
    assert batched == [[0]]  # only the unfinished draw was trained
    assert rows[-1]["test_mse"] == -1.0 and len(rows) == 3


def test_standard_instances_resume(tmp_path):
    path = tmp_path / ".s.csv.checkpoint.jsonl"
    cp = Checkpoint(path, PARAMS)
    cp.put(0, [{"instance": 0, "relative_error": 0.5, "n_iter": 1, "seconds": 0.0}])
    rows = run_standard(
        "matrix_irls",
        20,
        20,
        2,
        10.0,
        3.0,
        2,
        {"max_iter": 30},
        checkpoint=Checkpoint(path, PARAMS),
    )
    assert rows[0]["relative_error"] == 0.5  # read back, not run
    assert rows[1]["instance"] == 1 and rows[1]["relative_error"] < 1e-3
