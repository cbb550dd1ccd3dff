"""Spark sessions for the tests: a classic ``local[2]`` session in this process, and a Spark
Connect server (``local[2]``) started on loopback in its own JVM with a client session on it.

Skipped only when Java, PySpark or the Spark Connect client packages are absent on a
developer's machine; CI installs a headless JRE and the ``spark`` extra and sets
``RAPPROCHEMENT_REQUIRE_SPARK=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: what a Spark Connect client needs beyond PySpark (``pyspark[connect]``, in the spark extra)
CONNECT_MODULES = ("grpc", "grpc_status", "google.rpc", "zstandard")

#: the Connect server's class (in the spark-connect jar PySpark ships)
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def _missing_reason(connect: bool = False) -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install default-jre-headless)"
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install '.[spark]')"
    if connect:
        missing = [m for m in CONNECT_MODULES if not _importable(m)]
        if missing:
            return f"the Spark Connect client needs {', '.join(missing)} (pip install '.[spark]')"
    return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def require_spark(connect: bool = False) -> None:
    """Skip (or, with ``RAPPROCHEMENT_REQUIRE_SPARK``, fail) when Spark cannot run here."""
    reason = _missing_reason(connect)
    if reason is None:
        return
    if os.environ.get("RAPPROCHEMENT_REQUIRE_SPARK"):
        pytest.fail(f"Spark tests required (RAPPROCHEMENT_REQUIRE_SPARK) but {reason}")
    pytest.skip(f"{reason}; CI installs it and sets RAPPROCHEMENT_REQUIRE_SPARK=1")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A classic ``local[2]`` session on loopback, stopped after the module."""
    require_spark()
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("rapprochement-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until the server accepts connections on ``port``; fails with its log if it exits."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.poll() is not None:
            pytest.fail(f"the Spark Connect server exited:\n{log.read_text()[-4000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the Spark Connect server did not listen within {timeout:.0f} s")


@pytest.fixture(scope="module")
def spark_connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Spark Connect session on a ``local[2]`` Connect server on loopback: the server a JVM
    of its own (``spark-submit --class SparkConnectServer``, PySpark's jars, no download),
    stopped after the module."""
    require_spark(connect=True)
    import pyspark
    from pyspark.sql import SparkSession

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        # the server's Python workers import rapprochement as this process does
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    confs = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.memory": "1g",
    }
    cmd = [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS, "--master", "local[2]"]
    for k, v in confs.items():
        cmd += ["--conf", f"{k}={v}"]
    cmd.append("spark-internal")
    with log.open("wb") as out:
        server = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    mode = os.environ.get("SPARK_CONNECT_MODE_ENABLED")
    try:
        _wait_for(port, server, log, timeout=180)
        session = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()
        yield session
        session.stop()
    finally:
        # the remote builder marks the process as Connect; a classic session may follow
        if mode is None:
            os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
