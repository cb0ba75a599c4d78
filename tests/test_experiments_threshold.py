"""Fig. 4 threshold search: exact search logic on a fake success function, and a tiny real run."""

import math

import pytest

from linrfm_paper.experiments import completion, threshold
from linrfm_paper.experiments.completion import run_completion
from linrfm_paper.experiments.threshold import find_threshold

TINY_LINRFM = dict(ridges=[1e-2, 1e-3], max_iter=200, tol=1e-9, target_mse=1e-3, val_fraction=0.1)


class FakeRuns:
    """Stands in for run_completion: success iff n >= cut (per protocol, per seed), counts calls."""

    def __init__(self, cut: dict[str, int], bad_seed_cut: dict[str, int] | None = None):
        self.cut, self.bad_seed_cut = cut, bad_seed_cut or {}
        self.calls: list[tuple[int, int]] = []

    def __call__(self, method, d1, d2, rank, n, seed, settings, noise_std=0.0):
        self.calls.append((n, seed))
        rows = []
        for proto, cut in self.cut.items():
            cut = self.bad_seed_cut.get(proto, cut) if seed == 1 else cut
            rows.append(dict(protocol=proto, test_mse=1e-6 if n >= cut else 0.5))
        return rows


def _by_protocol(rows):
    return {r["protocol"]: r for r in rows}


@pytest.mark.parametrize("rel_tol", [0.05, 0.01, 1e-9])
def test_search_finds_known_threshold_and_runs_each_point_once(monkeypatch, rel_tol):
    fake = FakeRuns({"paper": 37, "honest": 37})
    monkeypatch.setattr(completion, "run_completion", fake)
    rows = find_threshold("linrfm_a1", 12, 1, [0, 1, 2], {}, rel_tol=rel_tol)
    assert [r["protocol"] for r in rows] == ["paper", "honest"]
    for r in rows:
        assert r["dof"] == 23 and r["n_lo"] == 23 and r["n_hi"] == 143
        assert r["reached"] and r["status"] == "bracketed"
        lo, hi = r["bracket_lo"], r["bracket_hi"]
        assert r["threshold_n"] == hi and lo < 37 <= hi
        assert hi - lo <= max(1, rel_tol * hi)
        assert hi <= 37 * (1 + rel_tol) + 1
    if rel_tol == 1e-9:
        assert rows[0]["threshold_n"] == 37 and rows[0]["bracket_lo"] == 36
    assert len(fake.calls) == len(set(fake.calls))  # each (n, seed) run once
    # the honest search reuses the paper search's runs: nothing new to run
    assert rows[1]["n_runs"] == rows[0]["n_runs"] == len(fake.calls)
    # failures stop at the first seed: only successful n were run for all three seeds
    ns = {n for n, _ in fake.calls}
    for n in ns:
        seeds = sorted(s for m, s in fake.calls if m == n)
        assert seeds == ([0, 1, 2] if n >= 37 else [0])
    # growth ×1.25 from 23: 23, 29, 37 (first success) → bracket [29, 37] before bisection
    assert rows[0]["trace"].startswith("23:fail;29:fail;37:ok")


def test_protocols_get_their_own_thresholds_from_shared_runs(monkeypatch):
    fake = FakeRuns({"paper": 40, "honest": 90})
    monkeypatch.setattr(completion, "run_completion", fake)
    rows = _by_protocol(find_threshold("nuclear_norm", 12, 1, [0, 1], {}, rel_tol=1e-9))
    assert rows["paper"]["threshold_n"] == 40 and rows["paper"]["bracket_lo"] == 39
    assert rows["honest"]["threshold_n"] == 90 and rows["honest"]["bracket_lo"] == 89
    assert len(fake.calls) == len(set(fake.calls))


def test_all_seeds_must_succeed(monkeypatch):
    fake = FakeRuns({"paper": 30}, bad_seed_cut={"paper": 70})  # seed 1 needs n >= 70
    monkeypatch.setattr(completion, "run_completion", fake)
    (row,) = find_threshold("dln2", 12, 1, [0, 1], {}, protocol="paper", rel_tol=1e-9)
    assert row["threshold_n"] == 70 and row["bracket_lo"] == 69


def test_not_reached_and_success_at_start(monkeypatch):
    monkeypatch.setattr(completion, "run_completion", FakeRuns({"paper": 10_000}))
    (row,) = find_threshold("dln3", 12, 1, [0], {}, protocol="paper")
    assert not row["reached"] and row["status"] == "not_reached"
    assert math.isnan(row["threshold_n"]) and math.isnan(row["bracket_hi"])
    assert row["bracket_lo"] == 143  # the cap d² − 1 was tried and failed
    monkeypatch.setattr(completion, "run_completion", FakeRuns({"paper": 1}))
    (row,) = find_threshold("dln3", 12, 1, [0], {}, protocol="paper")
    assert row["status"] == "success_at_n_lo" and row["threshold_n"] == 23
    assert math.isnan(row["bracket_lo"]) and row["n_evaluations"] == 1


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="unknown method"):
        find_threshold("svd", 12, 1, [0], {})
    with pytest.raises(ValueError, match="protocol"):
        find_threshold("nuclear_norm", 12, 1, [0], {}, protocol="peeking")
    with pytest.raises(ValueError, match="n_lo"):
        find_threshold("nuclear_norm", 12, 1, [0], {}, n_lo=200)
    with pytest.raises(ValueError, match="seeds"):
        find_threshold("nuclear_norm", 12, 1, [], {})


def test_logs_every_decided_n(monkeypatch, caplog):
    monkeypatch.setattr(completion, "run_completion", FakeRuns({"paper": 37}))
    with caplog.at_level("INFO", logger="linrfm_paper.experiments"):
        (row,) = find_threshold("linrfm_a1", 12, 1, [0], {}, protocol="paper")
    decided = [m for m in caplog.messages if " n=" in m and "success=" in m]
    assert len(decided) == row["n_evaluations"]


# n_lo = 30 (> dof = 23): SCS needs ~2e5 iterations (25 s) on one seed at n = 23. lin-RFM is
# searched under the paper protocol only, to keep the test short (each run takes ~1 s).
@pytest.mark.parametrize(
    ("method", "settings", "protocols"),
    [("nuclear_norm", {}, ("paper", "honest")), ("linrfm_a1", TINY_LINRFM, ("paper",))],
)
def test_real_threshold_is_consistent_with_direct_runs(
    one_torch_thread, method, settings, protocols
):
    d, rank, seeds, rel_tol = 12, 1, [0, 1], 0.2
    assert completion.run_completion is run_completion  # not left patched
    rows = _by_protocol(
        find_threshold(
            method, d, rank, seeds, settings, protocol=protocols, n_lo=30, rel_tol=rel_tol
        )
    )
    assert set(rows) == set(protocols)
    for proto, r in rows.items():
        assert r["reached"] and r["status"] == "bracketed", r["trace"]
        lo, hi = int(r["bracket_lo"]), int(r["bracket_hi"])
        assert r["dof"] == 23 and r["dof"] <= lo < hi == r["threshold_n"] < d * d
        assert hi - lo <= max(1, rel_tol * hi)
        assert r["seconds"] > 0 and r["n_runs"] >= len(seeds)
        assert r["git_commit"] and r["label"] == completion.LABELS[method]
        # direct calls: success at threshold_n in every seed, failure at bracket_lo in one
        at_hi = [_by_protocol(run_completion(method, d, d, rank, hi, s, settings)) for s in seeds]
        assert all(got[proto]["test_mse"] < 1e-3 for got in at_hi)
        if method == "nuclear_norm":
            assert r["worst_test_mse_at_threshold"] == max(g[proto]["test_mse"] for g in at_hi)
        else:  # the search's lin-RFM stops at its first successful ridge, not the grid's best
            assert r["worst_test_mse_at_threshold"] < 1e-3
        for s in seeds:
            mse = _by_protocol(run_completion(method, d, d, rank, lo, s, settings))[proto]
            if not mse["test_mse"] < 1e-3:
                # to round-off: the search's grid stops at a first success, this one runs all
                assert mse["test_mse"] == pytest.approx(r["worst_test_mse_at_bracket_lo"], rel=1e-9)
                break
        else:
            raise AssertionError(f"no seed fails at bracket_lo = {lo}")


def test_module_docstring_states_the_monotonicity_assumption():
    assert "monotone" in threshold.__doc__


def test_linrfm_search_stops_at_the_first_successful_ridge_with_the_same_outcome(
    one_torch_thread, monkeypatch
):
    """The search's lin-RFM runs (first successful ridge, the last one tried first) decide every
    n as the full grid search does, with fewer solver runs."""
    import linrfm.protocols

    settings = dict(TINY_LINRFM, ridges=[3e-2, 1e-2, 1e-3, 1e-4], protocols=["paper"])
    calls = []
    real_complete = linrfm.protocols.complete

    def counting(*args, **kwargs):
        calls.append(kwargs["ridge"])
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(linrfm.protocols, "complete", counting)
    # one run per call: the batched grid's equality with this is tests/test_grid.py's
    monkeypatch.setattr(linrfm.protocols, "grid_applies", lambda **kw: False)
    args = ("linrfm_a1", 12, 1, [0, 1], settings)
    kw = dict(protocol="paper", n_lo=30, rel_tol=0.05)
    (fast,) = find_threshold(*args, **kw)
    fast_calls, calls[:] = list(calls), []
    monkeypatch.setattr(threshold._Evaluator, "_settings", lambda self: self.settings)
    (full,) = find_threshold(*args, **kw)
    for key in ("threshold_n", "bracket_lo", "bracket_hi", "trace", "n_runs"):
        assert fast[key] == full[key], key
    assert len(calls) == full["n_runs"] * len(settings["ridges"])
    assert len(fast_calls) < len(calls)
