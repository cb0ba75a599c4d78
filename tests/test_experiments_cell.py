"""One job per grid cell (issue 14): run_completion_cell gives, draw by draw, the rows of one
run_completion call per draw — the networks trained as batched programs (same numbers to
round-off, in chunks), lin-RFM and the nuclear norm one draw after another."""

import pytest

from linrfm_paper.experiments.completion import Draw, run_completion, run_completion_cell

NETS = {
    "lr": 3e-2,
    "max_steps": 600,
    "check_every": 20,
    "tol": 1e-4,
    "target_mse": 1e-3,
    "val_fraction": 0.1,
    "split_seed": 0,
}
LINRFM = {
    "ridges": [1e-2, 1e-3],
    "max_iter": 200,
    "tol": 1e-9,
    "target_mse": 1e-3,
    "val_fraction": 0.1,
    "split_seed": 0,
}
D, RANK = 12, 2
DRAWS = [Draw(60, 0), Draw(100, 1), Draw(100, 2, noise_std=0.1)]
COMPARED = ("protocol", "n", "seed", "noise_std", "method", "n_iter")

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _single(method: str, settings: dict) -> list[dict]:
    return [
        row
        for dr in DRAWS
        for row in run_completion(
            method, D, D, RANK, dr.n, dr.seed, settings, noise_std=dr.noise_std
        )
    ]


@pytest.mark.parametrize("method,batch", [("dln2", 32), ("dln3", 2)])
def test_batched_networks_equal_one_run_per_draw(method, batch):
    """Both protocols of every draw (the paper's best iterate, the honest refit with each
    member's own step count) equal the single runs; batch=2 splits three draws in two chunks."""
    settings = {**NETS, "batch": batch}
    cell = run_completion_cell(method, D, D, RANK, DRAWS, settings)
    single = _single(method, settings)
    assert len(cell) == len(single) == 2 * len(DRAWS)
    chunk_sizes = {32: [3, 3, 3], 2: [2, 2, 1]}[batch]  # per draw: the size of its batch
    for i, (got, want) in enumerate(zip(cell, single, strict=True)):
        assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
        assert got["test_mse"] == pytest.approx(want["test_mse"], rel=1e-6, abs=1e-12)
        assert got["batch_members"] == chunk_sizes[i // 2]
        assert want["batch_members"] == 1
    # the refit of at least one draw stopped before the step cap: the per-member stop mattered
    honest_steps = {r["n_iter"] for r in cell if r["protocol"] == "honest"}
    assert len(honest_steps) > 1 or max(honest_steps) < NETS["max_steps"]


def test_linrfm_cell_is_one_run_per_draw():
    cell = run_completion_cell("linrfm_a0.5", D, D, RANK, DRAWS, LINRFM)
    single = _single("linrfm_a0.5", LINRFM)
    for got, want in zip(cell, single, strict=True):
        assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
        assert got["test_mse"] == want["test_mse"]


def test_empty_cell_is_an_error():
    with pytest.raises(ValueError, match="at least one draw"):
        run_completion_cell("dln2", D, D, RANK, [], NETS)


@pytest.mark.parametrize("method", ["linrfm_a0.5", "dln2", "nuclear_norm"])
def test_paper_protocol_only_skips_the_honest_runs(method):
    """settings["protocols"] = ["paper"] (Fig. 4's option): one paper row per draw, the same
    numbers as the paper row of a run of both."""
    settings = {**(NETS if method == "dln2" else LINRFM), "protocols": ["paper"]}
    both = run_completion(
        method, D, D, RANK, 100, 1, {**settings, "protocols": ["paper", "honest"]}
    )
    only = run_completion_cell(method, D, D, RANK, [Draw(100, 1)], settings)
    assert [r["protocol"] for r in only] == ["paper"]
    assert only[0]["test_mse"] == pytest.approx(both[0]["test_mse"], rel=1e-9)
    with pytest.raises(ValueError, match="protocols must list 'paper'"):
        run_completion(method, D, D, RANK, 100, 1, {**settings, "protocols": ["honest"]})


def test_linrfm_first_success_carries_the_last_successful_ridge_across_draws():
    """``first_success`` (Fig. 3's default): each draw's paper search tries first the ridge of the
    last draw that reached the target, and stops at its first success; whether a draw reaches the
    target is what the full grid search says."""
    draws = [Draw(80, s) for s in range(4)]
    grid = {**LINRFM, "ridges": [1e-1, 1e-2, 1e-3, 1e-4], "protocols": ["paper"]}
    full = run_completion_cell("linrfm_a1", D, D, RANK, draws, grid)
    first = run_completion_cell("linrfm_a1", D, D, RANK, draws, {**grid, "first_success": True})
    reached = [r["test_mse"] < 1e-3 for r in full]
    assert [r["test_mse"] < 1e-3 for r in first] == reached
    assert sum(reached) >= 2  # some draw gets to try a carried ridge
    last = None
    for row in first:
        if row["test_mse"] < 1e-3:
            if last is not None:  # the carried ridge was tried first: it is kept when it works
                alone = run_completion(
                    "linrfm_a1", D, D, RANK, row["n"], row["seed"], {**grid, "ridges": [last]}
                )
                assert (row["ridge"] == last) == (alone[0]["test_mse"] < 1e-3)
            last = row["ridge"]
