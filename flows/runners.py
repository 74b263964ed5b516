"""Task runners: a bounded thread pool by default, Dask (prefect-dask) only when asked for."""

from __future__ import annotations

from prefect.task_runners import ThreadPoolTaskRunner

from models.errors import ConfigError

TASK_RUNNERS = ("threads", "dask")
DASK_MISSING = "the Dask task runner needs prefect-dask: pip install -e '.[dask]'"


def make_task_runner(kind: str = "threads", concurrency: int = 4):
    """A task runner by name: "threads" (this process), "dask" (a local Dask cluster), or a Dask scheduler address.

    The thread pool is bounded because Prefect's default is not: hundreds of PDFs opened at once took 2 GB.
    A local Dask cluster gets ``concurrency`` single-threaded worker processes; "tcp://host:8786" uses a
    running scheduler, whose workers must see the workspace at the same path.
    """
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=concurrency)
    if kind == "dask" or "://" in kind:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as e:
            raise ConfigError(DASK_MISSING) from e
        if kind == "dask":
            return DaskTaskRunner(cluster_kwargs={"n_workers": concurrency, "threads_per_worker": 1,
                                                  "processes": True, "dashboard_address": None})
        return DaskTaskRunner(address=kind)
    raise ConfigError(f"unknown task runner {kind!r}: use one of {', '.join(TASK_RUNNERS)} or a tcp:// Dask address")
