"""Gunicorn for Rakor in production: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

Sized for the small city server (docs/DEPLOY.md): one worker process per core, two
threads each, so that one request's wait on the database overlaps another's Python
(measured in bench/submit_load.py and docs/PERFORMANCE.md). In the embedded set-up
(no RAKOR_REDIS_URL) a PDF renders in the web worker thread that asks for it and
holds that thread for the render (seconds for a meeting of a thousand inputs); with
Redis configured the RQ worker renders and requests stay short. Every setting can be
changed from the environment file.

What bounds a request (docs/DEPLOY.md, "What bounds a request"):

- A slow client: nginx, not gunicorn. A gthread worker reads a request's headers and
  body in the thread that then runs it, with no deadline once the first bytes have
  come (gunicorn only hands back a connection that sends nothing for 5 s), so forty
  clients sending a byte every two seconds would hold every thread. nginx reads the
  whole request first (proxy_request_buffering, client_body_timeout,
  client_max_body_size in deploy/nginx/) and hands gunicorn complete requests over
  loopback. So gunicorn listens only where nginx alone can reach it: `on_starting`
  below refuses any address but loopback, a unix socket or a private network.
- Work that runs long: not `timeout` either. With gthread workers it is the time a
  worker may go without a heartbeat, which the worker's main loop sends while its
  threads run, so no running request is cut off by it. Each request is bounded by
  what it does: a paper import by the caps of app/paper/limits.py (seconds), a PDF
  by the RQ queue when RAKOR_REDIS_URL is set; nginx stops waiting after
  proxy_read_timeout (60 s) in any case.
"""

import gc
import ipaddress
import multiprocessing
import os
import sys

bind = os.environ.get("RAKOR_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("RAKOR_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("RAKOR_THREADS", "2"))

# Most requests take milliseconds. With gthread workers this is the time a worker may
# go without a heartbeat, not a limit on one request (see above): a long PDF render in
# a request thread is not cut off by it, nginx only stops waiting for it after 60 s.
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


def only_nginx_can_reach(address: str) -> bool:
    """A unix socket, loopback or a private network's address: not the internet's."""
    if address.startswith(("unix:", "fd://")):
        return True
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a host name: say the address itself
    return not ip.is_unspecified and (ip.is_loopback or ip.is_private)


def on_starting(server):
    # Bound slow clients by refusing to listen where they could reach gunicorn itself.
    for address in server.cfg.bind:
        if not only_nginx_can_reach(address):
            raise RuntimeError(
                f"gunicorn must only be reachable through nginx, which buffers request "
                f"bodies (docs/DEPLOY.md): bind to 127.0.0.1, a unix socket or a private "
                f"network's address, not {address!r} (RAKOR_BIND)"
            )


def post_worker_init(worker):
    # What the worker has loaded (the app, its templates) lives as long as the process;
    # keep it out of the garbage collector's full passes, which would walk it again and
    # again and stall a request for tens of milliseconds.
    gc.freeze()
    # Threads hand over the GIL every millisecond instead of every 5 ms: a request
    # back from the database waits less behind another running Python (a third off
    # the p99 on PostgreSQL in bench/submit_load.py, docs/PERFORMANCE.md).
    sys.setswitchinterval(float(os.environ.get("RAKOR_SWITCH_INTERVAL", "0.001")))
