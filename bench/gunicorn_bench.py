"""Gunicorn settings for the submission benchmark (bench/submit_load.py).

Chosen by measuring on the 2-core bench machine (see docs/PERFORMANCE.md): the
request is short and mostly CPU (form validation, SQLAlchemy), so sync workers
a little above the core count keep both cores busy while one waits on the
database. The load client shares the same two cores, which is why more workers
do not help. BENCH_WORKERS, BENCH_WORKER_CLASS and BENCH_THREADS override the
choice so that a new machine can be measured the same way.

The bind address is given on the command line by the benchmark (a free
loopback port). This file is not the production configuration.
"""

import os

workers = int(os.environ.get("BENCH_WORKERS", "4"))
worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
threads = int(os.environ.get("BENCH_THREADS", "1"))
reuse_port = os.environ.get("BENCH_REUSE_PORT", "0") == "1"

# 50 clients connect at once; the default backlog is plenty, say so explicitly.
backlog = 2048
keepalive = 5
timeout = 30
graceful_timeout = 10

# An access log line per request would measure the log, not the app.
accesslog = None
errorlog = "-"
loglevel = "warning"
