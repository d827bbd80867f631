"""Gunicorn settings for the benchmarks (bench/submit_load.py, bench/review_load.py).

Chosen by measuring on the 2-core bench machine (docs/PERFORMANCE.md, "Submissions
under load"): two worker processes, one per core, each with two threads so that
one request's database wait overlaps another's Python, the same as production
(deploy/gunicorn.conf.py). Threaded workers keep the clients' connections alive.
Sync workers, and gthread taking a connection only when a thread is free, answer
each send on a new connection. That queues every send in one line, which kept
the p99 close to the p50, but each new connection cost PostgreSQL's Rakor about a
millisecond more CPU per send. Measured against each other in session 4, no model
won reliably on both databases (docs/PERFORMANCE.md, "gunicorn").

Each worker hands the GIL between its threads every millisecond instead of every
5 ms (`sys.setswitchinterval`), as deploy/gunicorn.conf.py does in production: a
thread back from the database then waits less behind one running Python, which
shortened PostgreSQL's p99 by about a third here at no cost in rate.

Each worker listens on a socket of its own (`reuse_port`): see the comment below.

BENCH_WORKERS, BENCH_WORKER_CLASS, BENCH_THREADS, BENCH_SWITCH_INTERVAL (seconds),
BENCH_REUSE_PORT (1 or 0), BENCH_KEEPALIVE (seconds) and BENCH_WORKER_CONNECTIONS
override the choice, so that another machine can be measured the same way, and the
alternatives in docs/PERFORMANCE.md can be measured again. The bind address is given on the
command line (a free loopback port). This is not the production configuration.
"""

import os
import sys

workers = int(os.environ.get("BENCH_WORKERS", "2"))
worker_class = os.environ.get("BENCH_WORKER_CLASS", "gthread")
threads = int(os.environ.get("BENCH_THREADS", "2"))
# Each worker listens on its own socket and the kernel deals the connections out
# between them by a hash of their addresses. On one shared socket, the 50 clients
# connecting at once went mostly to whichever worker won the accept race (47 and 3,
# or 49 and 1, counted with `ss`): the clients queued on the busy worker made the
# p99 (476 ms against 253-260 ms with the connections split evenly). A hash still
# splits unevenly now and then (16 and 34 seen), and that run's p99 shows it.
reuse_port = os.environ.get("BENCH_REUSE_PORT", "1") == "1"

# 50 clients connect at once; the default backlog is plenty, say so explicitly.
backlog = 2048
keepalive = int(os.environ.get("BENCH_KEEPALIVE", "5"))
worker_connections = int(os.environ.get("BENCH_WORKER_CONNECTIONS", "1000"))
timeout = 30
graceful_timeout = 10

# An access log line per request would measure the log, not the app.
accesslog = None
errorlog = "-"
loglevel = "warning"


def post_worker_init(worker):
    sys.setswitchinterval(float(os.environ.get("BENCH_SWITCH_INTERVAL", "0.001")))
