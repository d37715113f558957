"""What the HTTP benchmarks share: a cookie session per client, one request, percentiles, the server.

The server is gunicorn started as `make run` starts it (2 workers x 4 threads), against the
benchmark's database, so the figures are those of the product as deployed on this machine.
"""

import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8097"))
# All load comes from 127.0.0.1: the limits that key on the client address are raised.
UNLIMITED = {
    "LOGIN_RATE_LIMIT": "1000000/m/ip",
    "LOGIN_FAILED_RATE_LIMIT": "1000000/m/ip",
    "OTP_SENDS_PER_IP": "1000000",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session():
    """A client with its own cookies that does not follow redirects."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect()), jar


def call(opener, url, data=None, json_body=None, csrf=None, headers=None):
    """One request; returns (status, body) whatever the status."""
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        data = urllib.parse.urlencode(data).encode()
    if csrf:
        headers["X-CSRFToken"] = csrf
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", data=data, headers=headers)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def log_in(opener, username: str, password: str) -> bool:
    """The website's login form, as a browser submits it."""
    _, page = call(opener, "/account/accedi/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    status, _ = call(
        opener, "/account/accedi/", {"login": username, "password": password, "csrfmiddlewaretoken": token}
    )
    return status == 302


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(clients: int, seconds: float, iteration) -> dict:
    """Run iteration(client index, n) -> (ok, seconds) from `clients` threads for `seconds`."""
    latencies, errors, stop = [], [], time.monotonic() + seconds
    lock = threading.Lock()

    def worker(index):
        n = 0
        while time.monotonic() < stop:
            ok, elapsed = iteration(index, n)
            n += 1
            with lock:
                (latencies if ok else errors).append(elapsed)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    return {
        "rate": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": percentile(latencies, 95) * 1000 if latencies else float("nan"),
        "p99": percentile(latencies, 99) * 1000 if latencies else float("nan"),
        "ok": len(latencies),
        "errors": len(errors),
    }


@contextmanager
def server(env: dict):
    """gunicorn as `make run` starts it, until the block ends."""
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait()
