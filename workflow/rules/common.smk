import os
import re

from snakemake.utils import validate

validate(config, "../schemas/config.schema.yaml")


def n_grid(d, rank, multipliers):
    """Observation counts n = m · (2dr − r²) for each multiplier m, capped at d² − 1."""
    dof = 2 * d * rank - rank * rank
    return sorted({min(int(round(m * dof)), d * d - 1) for m in multipliers})


def completion_points(fig):
    """(d, rank, n) grid points of a completion figure from its config entry."""
    c = config[fig]
    return [
        (s["d"], s["rank"], n)
        for s in c["sizes"]
        for n in n_grid(s["d"], s["rank"], c["n_multipliers"])
    ]


def method_settings(method):
    """Hyper-parameters of a completion method from config['completion']."""
    c = config["completion"]
    if method.startswith("linrfm"):
        return c["linrfm"]
    if method.startswith("dln"):
        return c["nets"]
    return {}


def fig7_settings(method):
    """Fig. 7 uses its own lin-RFM ridge grid (caption); other settings as config['completion']."""
    settings = dict(method_settings(method))
    if method.startswith("linrfm"):
        settings["ridges"] = config["fig7_noisy_completion"]["ridges"]
    return settings


def runtime_settings(method):
    """Settings of one runtime job: target, time limit, device, dtype; the nets' optimizer."""
    c = config["runtime"]
    settings = {k: c[k] for k in ("target_mse", "time_limit_s", "device", "dtype")}
    if method.startswith("dln"):
        settings.update(c["nets"])
    return settings


def config_name():
    """The config file(s) given on the command line, else the default config/config.yaml."""
    files = [os.path.relpath(f) for f in (workflow.overwrite_configfiles or [])]
    return ", ".join(files) if files else "config/config.yaml"
