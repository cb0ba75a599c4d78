"""The SLURM profile on a real SLURM: the smoke config run through ``profiles/slurm`` on a
single-node cluster started for the test (``slurm_cluster``: SLURM with accounting, as the
executor plugin polls ``sacct``). Every job Snakemake ran went through the scheduler (``sacct``
lists each as COMPLETED), the tables equal the local run's, and no job used more memory or time
than the profile asked for it. Skipped, the reason printed, where SLURM cannot be installed (not
root, no apt-get, no package registry); deselect with ``-m "not slurm"``."""

import re
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from _workflow import ROOT, SNAKEMAKE, assert_same_tables, copy_workflow, results_tables
from slurm_cluster import Cluster, ensure_installed, single_node_cluster

pytestmark = pytest.mark.slurm

PROFILE = Path("profiles/slurm/config.yaml")
#: test-only settings: poll the cluster every second (the plugin's default waits 40 s first)
FAST_POLLING = {"slurm-init-seconds-before-status-checks": 1, "seconds-between-status-checks": 1}
SACCT = ["sacct", "--parsable2", "--noheader", "--starttime=2000-01-01"]


def write_test_profile(where: Path, cluster: Cluster) -> dict:
    """The repository's SLURM profile, its placeholders replaced by the test cluster's partition
    and account, into the copy ``where`` (the repository's own file is never edited)."""
    profile = yaml.safe_load((ROOT / PROFILE).read_text())
    resources = profile["default-resources"]
    assert resources["slurm_partition"] == resources["slurm_account"] == "CHANGE-ME"
    resources |= {"slurm_partition": cluster.partition, "slurm_account": cluster.account}
    profile |= FAST_POLLING
    (where / PROFILE).write_text(yaml.safe_dump(profile, sort_keys=False))
    return profile


def megabytes(value: str) -> float:
    """sacct's MaxRSS / ReqMem ('210412K', '1000M', '2G', '' for none) in MiB."""
    m = re.fullmatch(r"([\d.]+)([KMGT]?)[nc]?", value)
    if not m:
        return 0.0
    return float(m[1]) * {"K": 1 / 1024, "": 1 / 2**20, "M": 1, "G": 1024, "T": 2**20}[m[2]]


def seconds(value: str) -> float:
    """sacct's Elapsed / Timelimit ('[D-][HH:]MM:SS', 'UNLIMITED') in seconds."""
    if value in ("UNLIMITED", "Partition_Limit", ""):
        return float("inf")
    days, _, clock = value.rpartition("-")
    parts = [float(p) for p in clock.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return int(days or 0) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]


def accounting(cluster: Cluster) -> dict[str, dict]:
    """Per SLURM job: rule (from the plugin's comment), state, elapsed s, requested MiB and s,
    and MaxRSS summed over its steps (the batch step's Snakemake and the srun step's Snakemake
    and script live together). The cluster measures PSS (``UsePss``): a library page two of a
    job's processes map counts once, as a cgroup's memory limit would count it."""
    fields = "JobIDRaw,State,Elapsed,MaxRSS,ReqMem,Timelimit,Comment"
    rows = cluster.run(*SACCT, f"--format={fields}").stdout.splitlines()
    jobs: dict[str, dict] = {}
    rss: dict[str, float] = defaultdict(float)
    for row in rows:
        jobid, state, elapsed, maxrss, reqmem, limit, comment = row.split("|")
        base, _, step = jobid.partition(".")
        if step:
            rss[base] += megabytes(maxrss)
            continue
        rule = re.sub(r"^rule_|_wildcards_.*$", "", comment)
        jobs[base] = dict(rule=rule, state=state, elapsed_s=seconds(elapsed))
        jobs[base] |= dict(req_mb=megabytes(reqmem), limit_s=seconds(limit))
    for jobid, job in jobs.items():
        job["rss_mb"] = rss[jobid]
    return jobs


def report(jobs: dict[str, dict]) -> str:
    """Per rule: jobs, the largest MaxRSS (PSS) and Elapsed measured, what the jobs asked for."""
    lines = ["rule               jobs  MaxRSS MiB  Elapsed s  mem_mb  runtime min"]
    by_rule = defaultdict(list)
    for job in jobs.values():
        by_rule[job["rule"]].append(job)
    for rule, js in sorted(by_rule.items()):
        rss, elapsed = max(j["rss_mb"] for j in js), max(j["elapsed_s"] for j in js)
        req, limit = max(j["req_mb"] for j in js), max(j["limit_s"] for j in js) / 60
        lines.append(
            f"{rule:18s} {len(js):4d} {rss:11.0f} {elapsed:10.0f} {req:7.0f} {limit:12.0f}"
        )
    rss = max((j["rss_mb"] for j in jobs.values()), default=0)
    elapsed = max((j["elapsed_s"] for j in jobs.values()), default=0)
    lines.append(f"all jobs: max MaxRSS {rss:.0f} MiB, max Elapsed {elapsed:.0f} s")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def slurm_installed() -> None:
    """SLURM installed, or the test skipped, before the local smoke run is paid for."""
    ensure_installed()


def test_smoke_config_runs_through_a_real_slurm(slurm_installed, smoke_run, tmp_path):
    t0 = time.monotonic()
    where = tmp_path / "workflow"
    where.mkdir()
    copy_workflow(where)
    with single_node_cluster(tmp_path / "cluster") as cluster:
        t_up = time.monotonic()
        write_test_profile(where, cluster)
        cmd = [*SNAKEMAKE, "--workflow-profile", "profiles/slurm", "--configfile"]
        cmd += ["config/smoke.yaml"]
        run = subprocess.run(
            cmd, cwd=where, env=cluster.env, capture_output=True, text=True, timeout=1800
        )
        t_run = time.monotonic()
        log = run.stdout + run.stderr
        (tmp_path / "snakemake.log").write_text(log)
        assert run.returncode == 0, log[-4000:]
        listed = cluster.run(*SACCT, "-X", "--format=JobIDRaw,JobName,State,Comment").stdout
        jobs = accounting(cluster)
    print(f"\n{cluster.version}; {cluster.cpus} CPUs, RealMemory={cluster.mem_mb} MiB")
    print(f"cluster up in {t_up - t0:.0f} s, the smoke run through SLURM {t_run - t_up:.0f} s")
    print(f"sacct -X lists {len(listed.splitlines())} jobs:\nJobIDRaw|JobName|State|Comment")
    print(listed, report(jobs), sep="")
    # every job Snakemake ran, local rules aside, is a COMPLETED SLURM job
    done = re.findall(r"(\d+) of (\d+) steps \(100%\) done", log)
    assert done and done[-1][0] == done[-1][1], log[-3000:]
    steps = int(done[-1][1])
    local = len(re.findall(r"^localrule \w+:", log, flags=re.M))
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    print(f"Snakemake: {steps} steps, {local} local, {len(submitted)} submitted to SLURM")
    assert len(submitted) == steps - local
    assert sorted(jobs, key=int) == sorted(submitted, key=int)
    assert [j["state"] for j in jobs.values()] == ["COMPLETED"] * len(jobs)
    # the tables are the local run's
    assert_same_tables(results_tables(where), results_tables(smoke_run[0]))
    # no job needed more memory or time than it asked for
    over = {i: j for i, j in jobs.items() if j["rss_mb"] > j["req_mb"]}
    over |= {i: j for i, j in jobs.items() if j["elapsed_s"] > j["limit_s"]}
    assert not over, f"jobs over their request: {over}"
