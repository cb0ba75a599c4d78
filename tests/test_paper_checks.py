"""The claims checker gives the right verdicts on small hand-made results tables."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from linrfm_paper import claims as C

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "paper_checks/claims.yaml"


def _fig4(thresholds: dict[str, float], d: int = 100, rank: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"method": m, "d": d, "rank": rank, "threshold_n": t, "bracket_lo": t - 50}
            for m, t in thresholds.items()
        ]
    )


def _curves(mse: dict[str, list[float]], ns=(100, 200, 300)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"method": m, "d": 50, "rank": 2, "n": n, "seed": s, "test_mse": v}
            for m, vals in mse.items()
            for n, v in zip(ns, vals, strict=True)
            for s in (0, 1)
        ]
    )


def test_fewest_samples_holds_and_fails():
    good = _fig4({"linrfm_a0.5": 900, "dln3": 2000, "nuclear_norm": 2500})
    assert C.fewest_samples(good, "linrfm_a0.5").verdict == C.HOLDS
    bad = _fig4({"linrfm_a0.5": 900, "dln3": 700, "nuclear_norm": 2500})
    out = C.fewest_samples(bad, "linrfm_a0.5")
    assert out.verdict == C.FAILS
    assert "900" in out.measured and "700" in out.measured
    # a method that never reached the target counts as d², so it cannot beat us
    never = _fig4({"linrfm_a0.5": 900, "dln3": float("nan")})
    assert C.fewest_samples(never, "linrfm_a0.5").verdict == C.HOLDS


def test_thousands_fewer_needs_the_margin_and_the_scale():
    df = _fig4({"linrfm_a0.5": 900, "dln3": 2100, "nuclear_norm": 2500})
    assert C.fewer_by_at_least(df, "linrfm_a0.5", ["dln3", "nuclear_norm"], 1000).verdict == C.HOLDS
    df = _fig4({"linrfm_a0.5": 900, "dln3": 1500, "nuclear_norm": 2500})
    assert C.fewer_by_at_least(df, "linrfm_a0.5", ["dln3", "nuclear_norm"], 1000).verdict == C.FAILS
    tiny = _fig4({"linrfm_a0.5": 20, "dln3": 40, "nuclear_norm": 50}, d=8)
    out = C.fewer_by_at_least(tiny, "linrfm_a0.5", ["dln3", "nuclear_norm"], 1000)
    assert out.verdict == C.NOT_RUN


def test_overlap_and_recovery_rules():
    df = _curves({"l1": [1.0, 1e-2, 1e-8], "linrfm_a0.25": [1.1, 1.2e-2, 2e-8], "dn": [2, 1, 0.5]})
    assert C.curves_overlap(df, "linrfm_a0.25", "l1").verdict == C.HOLDS
    assert C.curves_overlap(df, "dn", "l1").verdict == C.FAILS
    assert C.best_recovery(df, "l1").verdict == C.HOLDS  # l1 and α=1/4 tie at n=300
    assert C.best_recovery(df, "dn").verdict == C.FAILS  # never recovers
    rec = C.recovery_n(df, 1e-3).set_index("method")["recovery_n"]
    assert rec["l1"] == 300 and pd.isna(rec["dn"])
    nothing = _curves({"a": [1, 1, 1], "b": [2, 2, 2]})
    assert C.best_recovery(nothing, "a").verdict == C.NOT_RUN


def test_lowest_error_rule():
    df = _curves({"linrfm_a0.5": [1e-2, 1e-7, 1e-9], "dln3": [0.5, 0.1, 1e-3]})
    assert C.lowest_error(df, "linrfm_a0.5").verdict == C.HOLDS
    assert C.lowest_error(df, "dln3").verdict == C.FAILS


def test_less_ridge_better_with_rank():
    rows = []
    for rank, best in ((2, 0.1), (5, 0.01)):
        n = 2 * (2 * 50 * rank - rank**2)
        for ridge in (0.1, 0.01):
            mse = 1e-4 if ridge == best else 1e-1
            rows.append({"d1": 50, "rank": rank, "n": n, "ridge_setting": ridge, "test_mse": mse})
    df = pd.DataFrame(rows)
    assert C.less_ridge_better_with_rank(df).verdict == C.HOLDS
    flipped = df.assign(test_mse=[1e-1, 1e-4, 1e-4, 1e-1])  # rank 5 now prefers more ridge
    assert C.less_ridge_better_with_rank(flipped).verdict == C.FAILS


def test_best_under_noise_and_speedup():
    rows = [
        {"method": m, "noise_std": s, "seed": 0, "test_mse": v}
        for s, vals in ((0.0, (1e-9, 1e-3)), (0.5, (0.1, 0.3)))
        for m, v in zip(("linrfm_a1", "nuclear_norm"), vals, strict=True)
    ]
    df = pd.DataFrame(rows)
    assert C.best_under_noise(df).verdict == C.HOLDS
    worse = df.assign(test_mse=[1e-9, 1e-3, 0.5, 0.3])
    assert C.best_under_noise(worse).verdict == C.FAILS

    def rt(t_lin, t_net, net_reached=True):
        return pd.DataFrame(
            [
                {
                    "method": "linrfm_a0.5",
                    "reached": True,
                    "seconds_to_target": t_lin,
                    "time_limit_s": 100,
                    "d": 300,
                    "n": 30000,
                    "device": "cpu",
                },
                {
                    "method": "dln2",
                    "reached": net_reached,
                    "seconds_to_target": t_net,
                    "time_limit_s": 100,
                    "d": 300,
                    "n": 30000,
                    "device": "cpu",
                },
            ]
        )

    assert C.speedup_at_least(rt(1.0, 10.0), "dln2", "linrfm_a0.5", 9.1).verdict == C.HOLDS
    assert C.speedup_at_least(rt(1.0, 3.0), "dln2", "linrfm_a0.5", 9.1).verdict == C.FAILS
    # the net never reached the target: its time limit is a lower bound on the ratio
    out = C.speedup_at_least(rt(1.0, float("nan"), False), "dln2", "linrfm_a0.5", 9.1)
    assert out.verdict == C.HOLDS and out.measured.startswith("≥ 100")


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
    bad.write_text(yaml.safe_dump([{"id": "y", "where": "w"}]))
    with pytest.raises(ValueError, match="y"):
        C.load_registry(bad)
