"""A real single-node SLURM cluster with accounting, started for a test and stopped after it.

``single_node_cluster(workdir)`` installs Debian's ``slurm-wlm``, ``slurmdbd``, ``munge`` and
``mariadb-server`` when they are missing (as root, with apt-get), writes a minimal configuration
into ``workdir`` (a munge key, ``slurm.conf``, ``slurmdbd.conf``, a MariaDB data directory; every
state, spool, log, pid and socket path in there, on ports picked free, so a system SLURM or MariaDB
is never touched), starts munged, MariaDB, slurmdbd, slurmctld and one slurmd directly (no init
system), registers a cluster, an account and root as its user, and waits until the node is idle.
On exit it cancels what is left in the queue and stops every daemon it started, by process id
(SIGTERM, then SIGKILL after a timeout). Clients reach the cluster through ``Cluster.env``
(``SLURM_CONF``). Where the environment cannot run it (not root, no apt-get, no package
registry) the calling test is skipped, the reason printed.

What mattered on this machine kind (SLURM 22.05.8, Debian 12, no systemd, no cgroups):
``ProctrackType=proctrack/linuxproc``, ``TaskPlugin=task/none``, ``SlurmUser=root``, a
``RealMemory`` a little under the machine's, ``AuthInfo=socket=...`` for a private munged."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGES = ("slurm-wlm", "slurmdbd", "munge", "mariadb-server")
PROGRAMS = ("munged", "mariadbd", "mariadb-install-db", "mariadb", "slurmdbd", "slurmctld")
PROGRAMS += ("slurmd", "sinfo", "sbatch", "squeue", "scancel", "sacct", "sacctmgr")

CLUSTER, PARTITION, ACCOUNT = "linrfmtest", "test", "linrfm"
DATABASE, DB_USER = "slurm_acct_db", "slurm"
#: where srun inside a job looks for its configuration (see ``link_default_conf``)
DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20


@dataclass
class Cluster:
    """A running cluster: its names, its node's size, and the environment its clients need."""

    name: str
    partition: str
    account: str
    node: str
    cpus: int
    mem_mb: int
    scratch: Path
    env: dict[str, str]
    version: str = ""
    daemons: dict[str, subprocess.Popen] = field(default_factory=dict)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A SLURM client command against this cluster (``SLURM_CONF`` set)."""
        return subprocess.run(
            args, env=self.env, capture_output=True, text=True, check=check, timeout=60
        )


# -- installation ----------------------------------------------------------------------------


def _skip(reason: str) -> None:
    print(f"\nSKIPPED (SLURM test): {reason}", flush=True)
    pytest.skip(reason)


def ensure_installed() -> None:
    """The four packages, installed with apt-get where a program of theirs is missing; the test
    is skipped (reason printed) where that cannot be done."""
    missing = [p for p in PROGRAMS if shutil.which(p) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        _skip(f"needs {', '.join(missing)}; installing {' '.join(PACKAGES)} needs root")
    if shutil.which("apt-get") is None:
        _skip(f"needs {', '.join(missing)} and there is no apt-get to install them with")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
    )
    for cmd in steps:
        try:
            run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            _skip(f"`{' '.join(cmd)}` did not finish in 10 minutes (no package registry?)")
        if run.returncode != 0:
            _skip(f"`{' '.join(cmd)}` failed (no package registry?): {run.stderr.strip()[-500:]}")
    still = [p for p in PROGRAMS if shutil.which(p) is None]
    if still:
        _skip(f"installed {' '.join(PACKAGES)} but {', '.join(still)} still missing")


# -- configuration ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine_memory_mb() -> int:
    """MemTotal in MiB (what slurmd reports as the node's RealMemory)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


def write_munge_key(path: Path) -> None:
    """1024 random bytes, readable by its owner (root, who runs munged) only."""
    path.write_bytes(secrets.token_bytes(1024))
    path.chmod(0o400)


def slurm_conf(d: Path, node: str, cpus: int, mem_mb: int, ports: dict[str, int]) -> str:
    """slurm.conf: one node, one partition, accounting through slurmdbd, no cgroups."""
    return f"""\
ClusterName={CLUSTER}
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={ports["slurmctld"]}
SlurmdPort={ports["slurmd"]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={d / "munge.socket"}
CredType=cred/munge
StateSaveLocation={d / "state"}
SlurmdSpoolDir={d / "spool"}
SlurmctldPidFile={d / "slurmctld.pid"}
SlurmdPidFile={d / "slurmd.pid"}
SlurmctldLogFile={d / "log" / "slurmctld.log"}
SlurmdLogFile={d / "log" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort={ports["slurmdbd"]}
AccountingStoragePass={d / "munge.socket"}
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=UsePss
JobCompType=jobcomp/none
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={mem_mb} State=UNKNOWN
PartitionName={PARTITION} Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


def slurmdbd_conf(d: Path, node: str, ports: dict[str, int], password: str) -> str:
    """slurmdbd.conf: the accounting daemon on 127.0.0.1, storing into the private MariaDB."""
    return f"""\
AuthType=auth/munge
AuthInfo=socket={d / "munge.socket"}
DbdHost={node}
DbdAddr=127.0.0.1
DbdPort={ports["slurmdbd"]}
SlurmUser=root
LogFile={d / "log" / "slurmdbd.log"}
PidFile={d / "slurmdbd.pid"}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={ports["mariadb"]}
StorageUser={DB_USER}
StoragePass={password}
StorageLoc={DATABASE}
"""


def mariadb_args(d: Path, port: int) -> list[str]:
    """mariadbd on 127.0.0.1:port with its data, socket and log in ``d``; InnoDB as slurmdbd
    recommends it, and no durability a throw-away database would pay for."""
    return [
        "mariadbd",
        "--no-defaults",
        "--user=root",
        f"--datadir={d / 'mysql'}",
        f"--socket={d / 'mysqld.sock'}",
        f"--pid-file={d / 'mysqld.pid'}",
        f"--log-error={d / 'log' / 'mariadb.log'}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=256M",
        "--innodb-log-file-size=64M",
        "--innodb-lock-wait-timeout=900",
        "--innodb-flush-log-at-trx-commit=0",
    ]


def database_sql(password: str) -> str:
    return f"""\
CREATE DATABASE IF NOT EXISTS {DATABASE};
CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{password}';
GRANT ALL ON {DATABASE}.* TO '{DB_USER}'@'127.0.0.1';
FLUSH PRIVILEGES;
"""


def link_default_conf(conf: Path) -> None:
    """A link at SLURM's default path to the test's configuration: the executor's job step drops
    every ``SLURM_*`` variable, ``SLURM_CONF`` among them, before it calls srun inside the job,
    which then reads /etc/slurm/slurm.conf, as on a real cluster's nodes. Made only where no
    configuration is (a dangling link a killed test left is replaced), removed on exit."""
    if DEFAULT_CONF.is_symlink() and not DEFAULT_CONF.exists():
        DEFAULT_CONF.unlink()
    if DEFAULT_CONF.exists():
        _skip(f"{DEFAULT_CONF} exists (a system SLURM?): the test does not replace it")
    DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_CONF.symlink_to(conf)


def unlink_default_conf(conf: Path) -> None:
    if DEFAULT_CONF.is_symlink() and Path(os.readlink(DEFAULT_CONF)) == conf:
        DEFAULT_CONF.unlink()


# -- daemons ---------------------------------------------------------------------------------


def _tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else f"({path} not written)"


def _wait(what: str, ready: Callable[[], bool], proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < end:
        if ready():
            return
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}):\n{_tail(log)}")
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready in {START_TIMEOUT_S} s:\n{_tail(log)}")


def _ok(cmd: list[str], env: dict[str, str]) -> bool:
    return subprocess.run(cmd, env=env, capture_output=True, timeout=30).returncode == 0


def _start(cluster: Cluster, name: str, argv: list[str]) -> subprocess.Popen:
    """``argv`` in the foreground of its own session, its output in log/<name>.out."""
    out = cluster.scratch / "log" / f"{name}.out"
    with out.open("w") as fh:
        proc = subprocess.Popen(
            argv, env=cluster.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    cluster.daemons[name] = proc
    return proc


def _stop(cluster: Cluster) -> None:
    """Cancel what is left in the queue, then stop each daemon by its pid, last started first."""
    ctld = cluster.daemons.get("slurmctld")
    if ctld is not None and ctld.poll() is None:
        cluster.run("scancel", "--full", "--user", "root", check=False)
        end = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < end and cluster.run("squeue", "-h", check=False).stdout.strip():
            time.sleep(0.5)
    for name, proc in reversed(cluster.daemons.items()):
        if proc.poll() is not None:
            continue
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"{name} (pid {proc.pid}) ignored SIGTERM for {STOP_TIMEOUT_S} s: SIGKILL")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_TIMEOUT_S)


def _start_all(c: Cluster, ports: dict[str, int]) -> None:
    d, env = c.scratch, c.env
    password = secrets.token_hex(12)
    # munged: a private key and socket (slurm.conf and slurmdbd.conf name it in AuthInfo)
    write_munge_key(d / "munge.key")
    munged = _start(
        c,
        "munged",
        ["munged", "--foreground", "--force", "--num-threads=10", f"--key-file={d / 'munge.key'}"]
        + [f"--socket={d / 'munge.socket'}", f"--pid-file={d / 'munged.pid'}"]
        + [f"--log-file={d / 'log' / 'munged.log'}", f"--seed-file={d / 'munged.seed'}"],
    )
    _wait("munged", lambda: (d / "munge.socket").exists(), munged, d / "log" / "munged.log")
    # MariaDB: a fresh data directory, the accounting database and its user
    install = subprocess.run(
        ["mariadb-install-db", "--no-defaults", "--user=root", f"--datadir={d / 'mysql'}"]
        + ["--auth-root-authentication-method=socket", "--skip-test-db"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if install.returncode != 0:
        raise RuntimeError(f"mariadb-install-db failed:\n{install.stdout}{install.stderr}")
    sql = ["mariadb", "--no-defaults", f"--socket={d / 'mysqld.sock'}", "--user=root"]
    mariadbd = _start(c, "mariadbd", mariadb_args(d, ports["mariadb"]))
    _wait("mariadbd", lambda: _ok([*sql, "-e", "SELECT 1"], env), mariadbd, d / "log/mariadb.log")
    subprocess.run(sql, input=database_sql(password), text=True, check=True, timeout=60)
    # slurmdbd, then the cluster, account and user it knows
    (d / "slurmdbd.conf").write_text(slurmdbd_conf(d, c.node, ports, password))
    (d / "slurmdbd.conf").chmod(0o600)
    slurmdbd = _start(c, "slurmdbd", ["slurmdbd", "-D"])
    ready = lambda: _ok(["sacctmgr", "-n", "list", "cluster"], env)  # noqa: E731
    _wait("slurmdbd", ready, slurmdbd, d / "log" / "slurmdbd.log")
    for cmd in (
        ["add", "cluster", c.name],
        ["add", "account", c.account, f"Cluster={c.name}", "Description=test", "Organization=t"],
        ["add", "user", "root", f"Account={c.account}", f"Cluster={c.name}"],
    ):
        c.run("sacctmgr", "-i", *cmd)
    # slurmctld and one slurmd; ready when the node is idle
    ctld = _start(c, "slurmctld", ["slurmctld", "-D", "-i"])
    _wait("slurmctld", lambda: _ok(["sinfo", "-h"], env), ctld, d / "log" / "slurmctld.log")
    slurmd = _start(c, "slurmd", ["slurmd", "-D", "-N", c.node])
    state = lambda: c.run("sinfo", "-h", "-N", "-o", "%t", check=False).stdout.strip()  # noqa: E731
    _wait("slurmd (node idle)", lambda: state() == "idle", slurmd, d / "log" / "slurmd.log")
    c.version = c.run("sinfo", "--version").stdout.strip()


@contextmanager
def single_node_cluster(workdir: Path) -> Iterator[Cluster]:
    """A running single-node cluster (the CPUs this process may use, the machine's memory less
    512 MiB) configured in ``workdir``; every daemon it started is stopped on exit."""
    ensure_installed()
    d = Path(workdir)
    for sub in ("state", "spool", "log"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    if len(str(d / "munge.socket")) > 100:  # a unix socket path has at most 107 characters
        raise RuntimeError(f"{d} is too long a path for the daemons' unix sockets")
    ports = {name: free_port() for name in ("slurmctld", "slurmd", "slurmdbd", "mariadb")}
    node, cpus = socket.gethostname().split(".")[0], len(os.sched_getaffinity(0))
    mem_mb = machine_memory_mb() - 512
    conf = d / "slurm.conf"
    conf.write_text(slurm_conf(d, node, cpus, mem_mb, ports))
    link_default_conf(conf)
    env = {**os.environ, "SLURM_CONF": str(conf)}
    cluster = Cluster(CLUSTER, PARTITION, ACCOUNT, node, cpus, mem_mb, d, env)
    try:
        _start_all(cluster, ports)
        yield cluster
    finally:
        _stop(cluster)
        unlink_default_conf(conf)
