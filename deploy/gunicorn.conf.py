"""gunicorn, as production runs it: behind the buffering proxy of deploy/nginx.conf.

Sync workers block on a slow client: only a proxy that reads whole requests first (nginx)
may talk to them, so they listen on the loopback interface alone.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = 30
# Above nginx's own limits (8 KB headers, 2 MB bodies): the proxy refuses first, in French.
limit_request_line = 8190
limit_request_field_size = 8190
forwarded_allow_ips = "127.0.0.1"
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the proxy keeps the access log; URLs may carry tokens (reset links)
