"""The claims checker gives the right verdicts on small hand-made results tables."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from linrfm_paper import claims as C

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "paper_checks/claims.yaml"


NAN = float("nan")
INF = float("inf")
FIG3_RIVALS = ["linrfm_a1", "nuclear_norm", "dln2", "dln3"]


def _curves(
    mse: dict[str, list[float]], ns=(100, 200, 300), protocol="honest", seeds=(0, 1)
) -> pd.DataFrame:
    """A Fig. 2/3-style table: the same test MSE in every seed at each n."""
    return pd.DataFrame(
        [
            {
                "method": m,
                "d": 50,
                "rank": 2,
                "n": n,
                "seed": s,
                "test_mse": v,
                "protocol": protocol,
            }
            for m, vals in mse.items()
            for n, v in zip(ns, vals, strict=True)
            for s in seeds
        ]
    )


def _fig4(brackets: dict[str, tuple[float, float]], d: int = 100, rank: int = 5) -> pd.DataFrame:
    """brackets: method -> (bracket_lo, threshold_n); threshold NaN: not reached (lo = last
    failure); lo NaN: success at the first n tried."""
    rows = []
    for m, (lo, hi) in brackets.items():
        reached = hi == hi
        rows.append(
            {
                "method": m,
                "d": d,
                "rank": rank,
                "threshold_n": hi,
                "bracket_lo": lo,
                "bracket_hi": hi,
                "reached": reached,
                "status": "not_reached" if not reached else "bracketed",
                "protocol": "paper",
            }
        )
    return pd.DataFrame(rows)


# --- curves_overlap (Fig. 2) -------------------------------------------------------------------


def test_curves_overlap_uses_the_largest_gap_at_informative_points():
    # narrowly holds: gaps of 0.48 decades at 3 informative points, both recovered at the 4th
    f = 10**0.48
    ok = _curves({"a": [1.0, 0.1, 0.01, 1e-9], "b": [f, 0.1 * f, 0.01 * f, 1e-12]}, ns=(1, 2, 3, 4))
    out = C.curves_overlap(ok, "a", "b")
    assert out.verdict == C.HOLDS
    assert "3 informative points" in out.measured and "1 with both under it" in out.measured
    # narrowly fails: one gap of 0.52 decades
    f2 = 10**0.52
    bad = _curves(
        {"a": [1.0, 0.1, 0.01, 1e-9], "b": [f, 0.1 * f, 0.01 * f2, 1e-12]}, ns=(1, 2, 3, 4)
    )
    out = C.curves_overlap(bad, "a", "b")
    assert out.verdict == C.FAILS and "largest gap 0.52 decades" in out.measured
    # the table: median gap 0.04, 9 decades at the transition -> fails (median: holds)
    trans = _curves(
        {"a": [1.0, 1.0, 1.0, 1e-12, 1e-12], "b": [1.1, 1.1, 1.1, 1e-3 * 1.0001, 1e-12]},
        ns=(1, 2, 3, 4, 5),
    )
    out = C.curves_overlap(trans, "a", "b")
    assert out.verdict == C.FAILS and "largest gap 9" in out.measured


def test_curves_overlap_not_run_on_too_few_informative_points():
    # the smoke case: one informative point, one where both recovered
    few = _curves({"a": [1.25, 1e-20], "b": [1.42, 1e-19]}, ns=(7, 18))
    out = C.curves_overlap(few, "a", "b")
    assert out.verdict == C.NOT_RUN and "too few informative points" in out.measured
    assert C.curves_overlap(few, "a", "zz").verdict == C.NOT_RUN


def test_curves_overlap_floors_at_the_target_under_the_paper_protocol():
    # b stopped at 5e-4 under the paper protocol: its distance from a's 2e-3 is 0.3 decades, not 2.5
    rows = {"a": [1.0, 0.5, 2e-3], "b": [1.0, 0.5, 5e-4 * 1e-2]}
    assert C.curves_overlap(_curves(rows, protocol="paper"), "a", "b").verdict == C.HOLDS
    assert C.curves_overlap(_curves(rows, protocol="honest"), "a", "b").verdict == C.FAILS


def test_nan_seeds_are_failures_not_skipped():
    df = _curves({"a": [1.0, 1e-9, 1e-9], "b": [1.0, 1e-9, 1e-9]})
    df.loc[(df["method"] == "a") & (df["n"] == 200) & (df["seed"] == 1), "test_mse"] = NAN
    rec = C.recovery_n(df, 1e-3).set_index("method")["recovery_n"]
    assert rec["a"] == 300 and rec["b"] == 200  # the NaN seed makes n=200 a failure for a
    out = C.curves_overlap(df, "a", "b")
    assert "1 NaN run(s) counted as failed" in out.measured


# --- best_recovery (Figs. 2, 3) ----------------------------------------------------------------


def test_recovery_n_needs_every_larger_n():
    df = _curves({"a": [1e-4, 0.5, 1e-5], "b": [0.5, 1e-4, 1e-5]})
    rec = C.recovery_n(df, 1e-3).set_index("method")["recovery_n"]
    assert rec["a"] == 300 and rec["b"] == 200  # a's success at n=100 is not sustained


def test_best_recovery_strict_ties_do_not_win():
    rivals = ["r1", "r2"]
    # narrowly holds: one grid step ahead of the best rival
    ok = _curves({"m": [0.5, 9e-4, 1e-9], "r1": [0.5, 1.1e-3, 1e-9], "r2": [1, 1, 1]})
    out = C.best_recovery(ok, "m", rivals)
    assert out.verdict == C.HOLDS
    assert "m 200 vs r1 300 (fewer), r2 none ≤ 300 (fewer)" in out.measured
    # narrowly fails: a rival one grid step ahead
    bad = _curves({"m": [0.5, 1.1e-3, 1e-9], "r1": [0.5, 9e-4, 1e-9], "r2": [1, 1, 1]})
    out = C.best_recovery(bad, "m", rivals)
    assert out.verdict == C.FAILS and "r1 200 (more)" in out.measured
    # a tie at the grid's resolution decides nothing (it used to hold)
    tie = _curves({"m": [0.5, 9e-4, 1e-9], "r1": [0.5, 9e-4, 1e-9], "r2": [1, 1, 1]})
    out = C.best_recovery(tie, "m", rivals)
    assert out.verdict == C.NOT_RUN and "tie with r1" in out.measured
    # neither recovers: undecided, not a win
    none = _curves({"m": [1, 1, 1], "r1": [1, 1, 1], "r2": [1, 1, 1]})
    assert C.best_recovery(none, "m", rivals).verdict == C.NOT_RUN
    # a missing rival: not run
    assert C.best_recovery(ok, "m", ["r1", "dln3"]).verdict == C.NOT_RUN


# --- lowest_error (Fig. 3, "far outperforms") ------------------------------------------------


def _far(ratios: list[float], protocol: str = "honest") -> pd.DataFrame:
    """m's MSE = best rival's / ratio at each of len(ratios) unrecovered points."""
    ns = tuple(range(1, len(ratios) + 1))
    rival = [0.1] * len(ratios)
    m = [0.1 / r for r in ratios]
    return _curves({"m": m, "r1": rival, "r2": [0.5] * len(ratios)}, ns=ns, protocol=protocol)


def test_lowest_error_far_means_half_the_best_rival():
    # narrowly holds: 4 of 5 points at 2.05× better (80%)
    out = C.lowest_error(_far([2.05, 2.05, 2.05, 2.05, 1.0]), "m", ["r1", "r2"])
    assert out.verdict == C.HOLDS
    assert "at 4/5 informative points" in out.measured and "r1 0.1" in out.measured
    # narrowly fails: 1.95× better everywhere (the old rule counted up to 2x worse as a win)
    out = C.lowest_error(_far([1.95] * 5), "m", ["r1", "r2"])
    assert out.verdict == C.FAILS and "at 0/5" in out.measured
    # the smoke case: median best-other/α=½ ratio 0.625 (α=½ worse) was "holds"
    out = C.lowest_error(_far([0.625] * 3), "m", ["r1", "r2"])
    assert out.verdict == C.FAILS and "worse at 3" in out.measured


def test_lowest_error_not_run_and_paper_floor():
    assert C.lowest_error(_far([3.0, 3.0]), "m", ["r1", "r2"]).verdict == C.NOT_RUN
    assert C.lowest_error(_far([3.0] * 3), "m", ["r1", "dln2"]).verdict == C.NOT_RUN
    # under the paper protocol m's 1e-5 vs the rival's 5e-4 at recovered points is no win: both
    # stopped under 1e-3; with the third rival unrecovered the points are informative but tied
    rows = {"m": [1e-5] * 3, "r1": [5e-4] * 3, "r2": [0.5] * 3}
    paper = C.lowest_error(_curves(rows, protocol="paper"), "m", ["r1", "r2"])
    honest = C.lowest_error(_curves(rows, protocol="honest"), "m", ["r1", "r2"])
    assert paper.verdict == C.FAILS and "m 0.001 vs best rival r1 0.001" in paper.measured
    assert honest.verdict == C.HOLDS


# --- fewest_samples / fewer_by_at_least (Fig. 4) ---------------------------------------------


def test_fewest_samples_needs_guaranteed_bracket_ends():
    rivals = ["nuclear_norm", "dln3"]
    # narrowly holds: our upper end 900 equals the rival's lower end 900
    ok = _fig4({"linrfm_a0.5": (800, 900), "nuclear_norm": (900, 1000), "dln3": (1500, NAN)})
    out = C.fewest_samples(ok, "linrfm_a0.5", rivals)
    assert out.verdict == C.HOLDS
    assert out.measured == (
        "r=5: linrfm_a0.5 (800, 900] vs nuclear_norm (900, 1000] (fewer), "
        "dln3 not reached (fails at n = 1500) (fewer)"
    )
    # narrowly fails: the rival's upper end 800 equals our lower end
    bad = _fig4({"linrfm_a0.5": (800, 900), "nuclear_norm": (700, 800), "dln3": (1500, NAN)})
    assert C.fewest_samples(bad, "linrfm_a0.5", rivals).verdict == C.FAILS
    # overlapping brackets (ours (800, 900], theirs (850, 1000]) decide nothing
    lap = _fig4({"linrfm_a0.5": (800, 900), "nuclear_norm": (850, 1000), "dln3": (1500, NAN)})
    out = C.fewest_samples(lap, "linrfm_a0.5", rivals)
    assert out.verdict == C.NOT_RUN and "brackets overlap" in out.measured
    # neither reaches: undecided (it used to count as d² for both, and win)
    never = _fig4({"linrfm_a0.5": (9999, NAN), "nuclear_norm": (9999, NAN), "dln3": (9999, NAN)})
    assert C.fewest_samples(never, "linrfm_a0.5", rivals).verdict == C.NOT_RUN
    # a rival missing from the config: not run, the partial comparison is printed
    out = C.fewest_samples(ok, "linrfm_a0.5", [*rivals, "dln2"])
    assert out.verdict == C.NOT_RUN and out.measured.startswith("dln2 not in this config")
    # success at the first n tried: (0, 500] is guaranteed below a rival failing at 500
    first = _fig4({"linrfm_a0.5": (NAN, 500), "nuclear_norm": (500, 700), "dln3": (600, 700)})
    assert C.fewest_samples(first, "linrfm_a0.5", rivals).verdict == C.HOLDS


def test_thousands_fewer_from_guaranteed_ends_and_real_bounds():
    # narrowly holds: guaranteed saving = rival lo 2000 - our hi 1000 = 1000
    ok = _fig4({"linrfm_a0.5": (900, 1000), "dln3": (2000, 2200)})
    out = C.fewer_by_at_least(ok, "linrfm_a0.5", ["dln3"], 1000)
    assert (
        out.verdict == C.HOLDS and "guaranteed saving up to 1e+03, at most 1.3e+03" in out.measured
    )
    # narrowly fails: even the upper bound (rival hi 1899 - our lo 900) is under 1000
    bad = _fig4({"linrfm_a0.5": (900, 1000), "dln3": (1700, 1899)})
    assert C.fewer_by_at_least(bad, "linrfm_a0.5", ["dln3"], 1000).verdict == C.FAILS
    # upper ends differ by 1100 but the guaranteed saving is 600: undecided (used to hold)
    wide = _fig4({"linrfm_a0.5": (900, 1000), "dln3": (1600, 2100)})
    out = C.fewer_by_at_least(wide, "linrfm_a0.5", ["dln3"], 1000)
    assert out.verdict == C.NOT_RUN and "straddle" in out.measured
    # a rival stopped at its step cap, failing at n = 1500: saving ≥ 500 only, never d² - ours
    capped = _fig4({"linrfm_a0.5": (900, 1000), "dln3": (1500, NAN)})
    out = C.fewer_by_at_least(capped, "linrfm_a0.5", ["dln3"], 1000)
    assert out.verdict == C.NOT_RUN and "dln3 not reached (fails at n = 1500)" in out.measured
    # ... one failing at n = 2500 is a real saving ≥ 1500 (it was "not run in this config")
    far = _fig4({"linrfm_a0.5": (900, 1000), "dln3": (2500, NAN)})
    assert C.fewer_by_at_least(far, "linrfm_a0.5", ["dln3"], 1000).verdict == C.HOLDS
    # scale and missing rival
    tiny = _fig4({"linrfm_a0.5": (20, 30), "dln3": (40, 50)}, d=8)
    assert C.fewer_by_at_least(tiny, "linrfm_a0.5", ["dln3"], 1000).verdict == C.NOT_RUN
    out = C.fewer_by_at_least(ok, "linrfm_a0.5", ["nuclear_norm"], 1000)
    assert out.verdict == C.NOT_RUN and "nuclear_norm not in this config" in out.measured


# --- less_ridge_better_with_rank (Fig. 6) ----------------------------------------------------


def _fig6(mse: dict[tuple[int, float], float], protocol: str = "paper") -> pd.DataFrame:
    rows = []
    for (rank, ridge), v in mse.items():
        n = 2 * (2 * 50 * rank - rank**2)
        rows.append(
            {
                "d1": 50,
                "rank": rank,
                "n": n,
                "ridge_setting": ridge,
                "test_mse": v,
                "protocol": protocol,
            }
        )
    return pd.DataFrame(rows)


def test_less_ridge_better_with_rank_holds_fails_not_run():
    # narrowly holds: rank 5's big ridge is just outside 2× of its best
    ok = _fig6({(2, 0.1): 1e-2, (2, 0.01): 1e-1, (5, 0.1): 2.1e-2, (5, 0.01): 1e-2})
    out = C.less_ridge_better_with_rank(ok)
    assert out.verdict == C.HOLDS and "r2→0.1" in out.measured and "r5→0.01" in out.measured
    # narrowly fails: just inside 2×, so the largest near-best ridge at rank 5 is still 0.1
    bad = _fig6({(2, 0.1): 1e-2, (2, 0.01): 1e-1, (5, 0.1): 1.9e-2, (5, 0.01): 1e-2})
    assert C.less_ridge_better_with_rank(bad).verdict == C.FAILS
    # every ridge ties at every rank: nothing to decide
    flat = _fig6({(2, 0.1): 1e-2, (2, 0.01): 1e-2, (5, 0.1): 1e-2, (5, 0.01): 1e-2})
    out = C.less_ridge_better_with_rank(flat)
    assert out.verdict == C.NOT_RUN and "ridge matters" in out.measured


def test_less_ridge_floors_early_stopped_mses_under_the_paper_protocol():
    # at rank 2 both ridges stopped under 1e-3 (5e-4 vs 1e-4: an early-stop artefact)
    mse = {(2, 0.1): 5e-4, (2, 0.01): 1e-4, (5, 0.1): 1e-1, (5, 0.01): 5e-4}
    paper = C.less_ridge_better_with_rank(_fig6(mse, "paper"))
    honest = C.less_ridge_better_with_rank(_fig6(mse, "honest"))
    assert paper.verdict == C.HOLDS and "r2→0.1" in paper.measured  # both ridges tie at rank 2
    assert honest.verdict == C.FAILS and "r2→0.01" in honest.measured


# --- best_under_noise (Fig. 7) -----------------------------------------------------------------


def _fig7(vals: dict[str, list[float]], sigmas=(0.0, 0.5), ns=(3000,)) -> pd.DataFrame:
    keys = [(s, n) for s in sigmas for n in ns]
    return pd.DataFrame(
        [
            {
                "method": m,
                "noise_std": s,
                "d1": 100,
                "rank": 5,
                "n": n,
                "seed": 0,
                "test_mse": v,
                "protocol": "paper",
            }
            for m, vs in vals.items()
            for (s, n), v in zip(keys, vs, strict=True)
        ]
    )


def test_best_under_noise_one_alpha_every_point_with_a_margin():
    ms, rv = ["a_half", "a_one"], ["nn", "net"]
    # narrowly holds: α = 1/2 6% below the best rival at σ = 0.5
    ok = _fig7(
        {"a_half": [1e-9, 0.1 / 1.06], "a_one": [1e-9, 0.2], "nn": [1e-3, 0.1], "net": [1, 1]}
    )
    out = C.best_under_noise(ok, ms, rv)
    assert out.verdict == C.HOLDS and "a_half 0.0943" in out.measured and "nn 0.1" in out.measured
    # narrowly fails: both α 5% or more above the rival somewhere
    bad = _fig7({"a_half": [1e-9, 0.106], "a_one": [1e-9, 0.2], "nn": [1e-3, 0.1], "net": [1, 1]})
    assert C.best_under_noise(bad, ms, rv).verdict == C.FAILS
    # within 5%: a tie, undecided (the old 10% slack made 9% worse a win)
    tie = _fig7({"a_half": [1e-9, 0.103], "a_one": [1e-9, 0.2], "nn": [1e-3, 0.1], "net": [1, 1]})
    assert C.best_under_noise(tie, ms, rv).verdict == C.NOT_RUN
    # the best α per point is not one lin-RFM: α = 1/2 wins at n=1, α = 1 at n=2 -> fails
    split = _fig7(
        {"a_half": [0.05, 0.2], "a_one": [0.2, 0.05], "nn": [0.1, 0.1], "net": [1, 1]},
        sigmas=(0.5,),
        ns=(1, 2),
    )
    out = C.best_under_noise(split, ms, rv)
    assert out.verdict == C.FAILS and "wins at 1/2" in out.measured
    assert C.best_under_noise(ok, ms, ["nn", "dln3"]).verdict == C.NOT_RUN
    assert (
        C.best_under_noise(
            _fig7(
                ok.groupby("method")["test_mse"].first().apply(lambda v: [v]).to_dict(),
                sigmas=(0.0,),
            ),
            ms,
            rv,
        ).verdict
        == C.NOT_RUN
    )


# --- speedup_at_least / faster_per_iteration (Section 4) ---------------------------------------


def _rt(lin: tuple, net: tuple, d: int = 1000, limit: float = 100.0) -> pd.DataFrame:
    """lin, net: (reached, seconds_to_target, seconds_total, steps_total, device)."""
    rows = []
    for m, (reached, t, total, steps, dev) in (("linrfm_a0.5", lin), ("dln2", net)):
        rows.append(
            {
                "method": m,
                "reached": reached,
                "seconds_to_target": t if reached else NAN,
                "seconds_total": total,
                "steps_total": steps,
                "time_limit_s": limit,
                "d": d,
                "n": 30000,
                "device": dev,
            }
        )
    return pd.DataFrame(rows)


def test_speedup_real_bounds_only():
    lin = (True, 1.0, 1.2, 40, "cuda")
    # narrowly holds / fails at the need 9.1 / 2 = 4.55
    out = C.speedup_at_least(_rt(lin, (True, 4.6, 4.6, 900, "cuda")), "dln2", "linrfm_a0.5", 9.1)
    assert out.verdict == C.HOLDS and "linrfm_a0.5 1 s vs dln2 4.6 s; ratio 4.6×" in out.measured
    out = C.speedup_at_least(_rt(lin, (True, 4.5, 4.5, 900, "cuda")), "dln2", "linrfm_a0.5", 9.1)
    assert out.verdict == C.FAILS
    # the case: the net stopped at its step cap after 2.1 s of a 100 s limit -> ratio
    # ≥ 2.1 only, undecided (it was charged the whole limit: "≥ 100×", holds)
    capped = _rt(lin, (False, NAN, 2.1, 300, "cuda"))
    out = C.speedup_at_least(capped, "dln2", "linrfm_a0.5", 9.1)
    assert out.verdict == C.NOT_RUN and "ratio ≥ 2.1×" in out.measured
    assert "stopped at its step cap, 300 steps" in out.measured
    # a net that ran 5 s without reaching is a real lower bound 5× ≥ 4.55: holds
    ran = _rt(lin, (False, NAN, 5.0, 300, "cuda"))
    assert C.speedup_at_least(ran, "dln2", "linrfm_a0.5", 9.1).verdict == C.HOLDS
    # lin-RFM did not reach in 3 s, the net reached at 10 s: ratio < 3.33 < 4.55 fails
    slow_lin = _rt((False, NAN, 3.0, 500, "cuda"), (True, 10.0, 10.0, 900, "cuda"))
    assert C.speedup_at_least(slow_lin, "dln2", "linrfm_a0.5", 9.1).verdict == C.FAILS
    # ... at 20 s the bounds straddle the need: not run
    straddle = _rt((False, NAN, 3.0, 500, "cuda"), (True, 20.0, 20.0, 900, "cuda"))
    assert C.speedup_at_least(straddle, "dln2", "linrfm_a0.5", 9.1).verdict == C.NOT_RUN


def test_speedup_scale_and_device_guards():
    lin, net = (True, 1.0, 1.2, 40, "cpu"), (True, 10.0, 10.0, 900, "cpu")
    out = C.speedup_at_least(_rt(lin, net, d=12), "dln2", "linrfm_a0.5", 9.1)
    assert out.verdict == C.NOT_RUN and out.measured.startswith("scale: d = 12 < 1000")
    mixed = _rt(lin, (True, 10.0, 10.0, 900, "cuda"))
    assert C.speedup_at_least(mixed, "dln2", "linrfm_a0.5", 9.1).verdict == C.NOT_RUN


def test_faster_per_iteration_labels_and_margin():
    def t(svd_free, eigh):
        return pd.DataFrame(
            [
                {
                    "method": "svd_free",
                    "d": 500,
                    "seed": 0,
                    "iters": 3,
                    "seconds_per_iter": svd_free,
                },
                {"method": "eigh", "d": 500, "seed": 0, "iters": 3, "seconds_per_iter": eigh},
            ]
        )

    out = C.faster_per_iteration(t(0.605e-3, 0.811e-3), "svd_free", "eigh")
    assert out.verdict == C.HOLDS  # 1.34× ≥ 1.2
    assert out.measured.startswith("d=500: svd_free 0.605 ms vs eigh 0.811 ms per iteration")
    assert C.faster_per_iteration(t(1e-3, 1.19e-3), "svd_free", "eigh").verdict == C.NOT_RUN
    assert C.faster_per_iteration(t(1e-3, 1.21e-3), "svd_free", "eigh").verdict == C.HOLDS
    assert C.faster_per_iteration(t(1.21e-3, 1e-3), "svd_free", "eigh").verdict == C.FAILS


def test_rules_refuse_mixed_protocols():
    df = pd.concat([_curves({"a": [1, 1, 1], "b": [1, 1, 1]}, protocol=p) for p in C.PROTOCOLS])
    with pytest.raises(ValueError, match="one protocol"):
        C.curves_overlap(df, "a", "b")


def test_report_counts_both_protocols_and_lists_rule_changes():
    claims = [c for c in C.load_registry(REGISTRY) if c["id"].startswith("runtime_vs_depth2")]
    capped = pd.DataFrame(
        [
            {
                "method": "linrfm_a0.5",
                "reached": True,
                "seconds_to_target": 0.032,
                "seconds_total": 0.05,
                "steps_total": 41,
                "time_limit_s": 2.0,
                "d": 12,
                "n": 60,
                "device": "cpu",
            },
            {
                "method": "dln2",
                "reached": False,
                "seconds_to_target": NAN,
                "seconds_total": 0.09,
                "steps_total": 300,
                "time_limit_s": 2.0,
                "d": 12,
                "n": 60,
                "device": "cpu",
            },
        ]
    )
    verdicts, _ = C.evaluate(claims, tables={"runtime": capped}, notebooks={})
    (v,) = verdicts
    assert v.verdicts == {"—": C.NOT_RUN}  # scale: 12 < 1000
    (change,) = v.changes
    assert change["before"] == {"—": C.HOLDS} and change["after"] == {"—": C.NOT_RUN}
    assert "≥ 62.5×" in change["before_measured"]["—"]  # the old rule charged the time limit
    md = C.render_markdown(verdicts, [], "header")
    assert "paper protocol: not run: 1; honest protocol: not run: 1" in md
    assert "## Rule changes since the registry was first written" in md
    assert "| runtime_vs_depth2 | 2026-12-03 |" in md and "| holds | not run |" in md
    assert "## How each figure and runtime claim is read" in md


def test_rule_claims_carry_their_reading_and_changes():
    for c in C.load_registry(REGISTRY):
        if "rule" in c["check"]:
            assert all(c.get(k) for k in C.READING), c["id"]
            if C.is_beyond(c["where"]):  # ours, written with issue 12: no history yet
                continue
            assert c.get("changes"), c["id"]
            assert c["check"]["rule"] in C.RULES
            assert all(ch["before"]["rule"] in C.LEGACY_RULES for ch in c["changes"]), c["id"]


def test_shipped_registry_is_valid_and_covers_the_papers_statements():
    claims = C.load_registry(REGISTRY)
    assert len(claims) >= 20
    ids = {c["id"] for c in claims}
    for needed in (
        "thm1_first_order_conditions",
        "cor1_psi_closed_form",
        "thm2_nfa_agop_power",
        "thm3_limit_power",
        "cor2_constants",
        "lem1_linrfm_rank1",
        "prop1_basin_threshold",
        "prop2_attractor",
        "lem2_divergence",
        "appA_irls_equivalence",
        "fig2_l1_best_recovery",
        "fig4_thousands_fewer_than_depth3",
        "fig6_less_ridge_with_rank",
        "fig7_linrfm_best_under_noise",
        "runtime_vs_depth2",
        "svd_free_faster",
    ):
        assert needed in ids
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for c in claims:
        if "notebook" in c["check"]:
            assert c["check"]["notebook"] in config["notebooks"], c["id"]


def test_evaluate_reports_missing_inputs_as_not_run(tmp_path):
    claims = C.load_registry(REGISTRY)
    verdicts, extra = C.evaluate(claims, tables={}, notebooks={})
    assert all(v == C.NOT_RUN for x in verdicts for v in x.verdicts.values())
    nb = pd.DataFrame(
        [
            {
                "claim_id": "appA_irls_equivalence",
                "where": "A",
                "statement": "s",
                "expected": "e",
                "measured": "1e-12",
                "verdict": "holds",
                "note": "",
            },
            {
                "claim_id": "something_else",
                "where": "A",
                "statement": "s",
                "expected": "e",
                "measured": "m",
                "verdict": "fails",
                "note": "",
            },
        ]
    )
    verdicts, extra = C.evaluate(claims, tables={}, notebooks={"irls_equivalence": nb})
    by_id = {v.id: v for v in verdicts}
    assert by_id["appA_irls_equivalence"].verdicts["—"] == C.HOLDS
    assert by_id["appA_p_mapping"].verdicts["—"] == C.NOT_RUN  # not in the notebook's table
    assert [r["claim_id"] for r in extra] == ["something_else"]
    md = C.render_markdown(verdicts, extra, "header")
    assert "**holds**" in md and "something_else" in md


def test_bad_registry_errors_name_the_claim(tmp_path):
    bad = tmp_path / "claims.yaml"
    bad.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "x",
                    "where": "w",
                    "statement": "s",
                    "paper": "p",
                    "check": {"rule": "no_such_rule", "table": "fig2"},
                }
            ]
        )
    )
    with pytest.raises(ValueError, match="x.*no_such_rule"):
        C.load_registry(bad)
    no_reading = {
        "id": "z",
        "where": "w",
        "statement": "s",
        "paper": "p",
        "check": {"rule": "curves_overlap", "table": "fig2", "args": {"a": "l1", "b": "l1"}},
    }
    bad.write_text(yaml.safe_dump([no_reading]))
    with pytest.raises(ValueError, match="z.*quote"):
        C.load_registry(bad)
    change = {"date": "2026-12-03", "reason": "r", "before": {"rule": "nope", "table": "fig2"}}
    bad.write_text(
        yaml.safe_dump(
            [{**no_reading, "quote": "q", "reading": "r", "tolerance": "t", "changes": [change]}]
        )
    )
    with pytest.raises(ValueError, match="z.*change #0 before.*nope"):
        C.load_registry(bad)
    bad.write_text(yaml.safe_dump([{"id": "y", "where": "w"}]))
    with pytest.raises(ValueError, match="y"):
        C.load_registry(bad)
