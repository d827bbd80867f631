"""Gunicorn for Rakor in production: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

Sized for the small city server (docs/DEPLOY.md): one worker process per core, two
threads each, so that one request's wait on the database overlaps another's Python
(measured in bench/submit_load.py and docs/PERFORMANCE.md). In the embedded set-up
(no RAKOR_REDIS_URL) a PDF renders in the web worker thread that asks for it and
holds that thread for the render (seconds for a meeting of a thousand inputs); with
Redis configured the RQ worker renders and requests stay short. Every setting can be
changed from the environment file.
"""

import gc
import multiprocessing
import os
import sys

bind = os.environ.get("RAKOR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("RAKOR_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("RAKOR_THREADS", "2"))

# Most requests take milliseconds. With gthread workers this is the time a worker may
# go without a heartbeat, not a limit on one request, so a long PDF render in a request
# thread is not cut off by it (nginx's proxy_read_timeout, 60 s, is the limit there).
timeout = int(os.environ.get("RAKOR_WORKER_TIMEOUT", "30"))
graceful_timeout = 20
# nginx keeps its upstream connections open (keepalive in deploy/nginx/rakor.conf).
keepalive = 15
# A worker is replaced after this many requests (with jitter, so not all at once):
# whatever memory a long day of PDFs and imports left behind is given back.
max_requests = 5000
max_requests_jitter = 500
backlog = 2048

# Only nginx on this machine may tell gunicorn the client's scheme and address; the
# app reads them through ProxyFix (RAKOR_PROXY_COUNT=1).
forwarded_allow_ips = "127.0.0.1,::1"

# The app writes one JSON line per request itself (app/logs.py); gunicorn's own
# messages (start, stop, a worker killed) go to the journal beside them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("RAKOR_GUNICORN_LOG_LEVEL", "info")
capture_output = True
# Heartbeat files in memory, not on a disk that may stall (gunicorn's own advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "rakor"

# gunicorn's control socket (`gunicornc -s /run/rakor/gunicorn.ctl -c "show workers"`)
# goes in the unit's RuntimeDirectory, which systemd makes for the rakor user. Its
# default, $HOME/.gunicorn/, is the code folder under the unit (read-only, not the
# rakor user's) and a folder shared by every gunicorn of one user elsewhere; outside
# systemd there is none.
_runtime_directory = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
if _runtime_directory:
    control_socket = os.path.join(_runtime_directory, "gunicorn.ctl")
else:
    control_socket_disable = True


def post_worker_init(worker):
    # What the worker has loaded (the app, its templates) lives as long as the process;
    # keep it out of the garbage collector's full passes, which would walk it again and
    # again and stall a request for tens of milliseconds.
    gc.freeze()
    # Threads hand over the GIL every millisecond instead of every 5 ms: a request
    # back from the database waits less behind another running Python (a third off
    # the p99 on PostgreSQL in bench/submit_load.py, docs/PERFORMANCE.md).
    sys.setswitchinterval(float(os.environ.get("RAKOR_SWITCH_INTERVAL", "0.001")))
