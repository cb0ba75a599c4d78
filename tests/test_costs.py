"""The rebuild's cost table from Snakemake benchmark files (linrfm_paper.costs)."""

import pytest

from linrfm_paper.costs import job_costs, main, summary

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _bench(root, rel, seconds, rss):
    f = root / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t90\t{seconds * 0.9}\n")


def test_summary_per_figure_and_all(tmp_path, capsys):
    _bench(tmp_path, "fig3/d100_r5/dln2.tsv", 100.0, 300.0)
    _bench(tmp_path, "fig3/d100_r5/dln3.tsv", 50.0, 500.0)
    _bench(tmp_path, "fig4/d100_r5/dln3.tsv", 400.0, 200.0)
    t = summary(job_costs(tmp_path)).set_index("figure")
    assert list(t.index) == ["fig4", "fig3", "all"]  # largest total first
    assert t.loc["fig3", "jobs"] == 2 and t.loc["fig3", "seconds"] == 150.0
    assert t.loc["fig3", "longest_job"] == "fig3/d100_r5/dln2" and t.loc["fig3", "peak_mib"] == 500
    assert t.loc["all", "seconds"] == 550.0 and t.loc["all", "jobs"] == 3
    main([str(tmp_path)])
    assert "fig4/d100_r5/dln3" in capsys.readouterr().out


def test_no_benchmark_files_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Snakemake benchmark files"):
        job_costs(tmp_path)
