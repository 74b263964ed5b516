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
    running scheduler, whose workers must see the workspace at the same path (and, to read each file in a
    reader process, run with DASK_DISTRIBUTED__WORKER__DAEMON=False: see docs/prefect.md).
    """
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=concurrency)
    if kind == "dask" or "://" in kind:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as e:
            raise ConfigError(DASK_MISSING) from e
        if kind == "dask":
            return DaskTaskRunner(cluster_class=local_cluster,
                                  cluster_kwargs={"n_workers": concurrency, "threads_per_worker": 1,
                                                  "processes": True, "dashboard_address": None})
        return DaskTaskRunner(address=kind)
    raise ConfigError(f"unknown task runner {kind!r}: use one of {', '.join(TASK_RUNNERS)} or a tcp:// Dask address")


def local_cluster(**kwargs):
    """A distributed LocalCluster whose worker processes are not daemonic, so each can start reader processes.

    Dask makes worker processes daemonic by default, and a daemonic process may not have children: the files
    would then be read inside the worker, where a hang or a crash in a PDF or Word library takes the worker
    (and its batch) down. The setting is read by each Nanny whenever it (re)starts its worker, so it is set for
    this process, not only while the cluster starts.
    """
    import dask
    from distributed import LocalCluster

    dask.config.set({"distributed.worker.daemon": False})
    return LocalCluster(**kwargs)
