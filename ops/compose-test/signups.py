#!/usr/bin/env python3
"""Sign-ups through the compose kit's TLS front door at a steady rate (./stack compose-test).

    signups.py <nginx address> <domain> <count> <per second> <address prefix> <results file>
    signups.py capacity

Each sign-up is a POST to https://<domain>/api/auth/register/ sent to <nginx address> with the
domain as SNI and Host, as a browser would (the test certificate is not checked). One line per
sign-up is appended to the results file as it ends: "<n> <email> <status> <milliseconds>", where
status is the HTTP status or "error:<reason>" when no answer came (refused, reset, timed out).
The rate is kept whatever the answers are, so an outage shows as failed sign-ups, not as a pause.
A 503 is sent again after its Retry-After (at most 4 times, with up to a second of jitter so
refused clients do not all return at once), as the sign-up page does: a busy service sheds load
that way, and a sign-up is idempotent. The status recorded is the last one, marked "+retried"
when a 503 came first.

"capacity" prints this machine's password-hashing capacity, hashes a second (PBKDF2-HMAC-SHA512
at 210,000 iterations, the services' cost, on every core at once). ./stack compose-test measures
it before it starts anything and offers its load relative to it: the run tests the faults, and a
machine hashing at its limit, with one replica of two down, would refuse sign-ups for being slow.
"""

import hashlib
import http.client
import os
import random
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


# How often a sign-up answered 503 is sent again (the sign-up page's BUSY_RETRIES).
BUSY_RETRIES = 4


class FrontDoor(http.client.HTTPSConnection):
    """An HTTPS connection to a fixed address that presents the site's name (SNI)."""

    def __init__(self, address, domain, timeout):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__(address, 443, timeout=timeout, context=context)
        self.domain = domain

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.domain)


def sign_up(address, domain, n, email, lock, out):
    body = urllib.parse.urlencode({
        "username": email.split("@")[0],
        "email": email,
        "password": "Quiet-Harbor-7319-Compose",
        "industry": "software",
        "sales_experience": "1_to_3_years",
        "purpose": "compose test load",
        "locale": "en",
    })
    started = time.monotonic()
    retried = ""
    for attempt in range(BUSY_RETRIES + 1):
        wait = None
        try:
            connection = FrontDoor(address, domain, timeout=30)
            connection.request("POST", "/api/auth/register/", body, {
                "Host": domain,
                "Content-Type": "application/x-www-form-urlencoded",
            })
            response = connection.getresponse()
            response.read()
            status = str(response.status)
            if response.status == 503:
                header = (response.getheader("Retry-After") or "").strip()
                wait = min(int(header), 10) if header.isdigit() else 2
            connection.close()
        except (OSError, http.client.HTTPException) as e:
            status = "error:" + type(e).__name__
        if wait is None or attempt == BUSY_RETRIES:
            break
        retried = "+retried"
        time.sleep(wait + random.random())
    status += retried
    elapsed = int((time.monotonic() - started) * 1000)
    with lock:
        out.write(f"{n} {email} {status} {elapsed}\n")
        out.flush()


def hashing_capacity():
    """Password hashes a second on every core at once (hashlib releases the GIL while hashing)."""
    cores = os.cpu_count() or 1
    hashes = 2 * cores
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=cores) as pool:
        list(pool.map(lambda i: hashlib.pbkdf2_hmac("sha512", b"capacity-%d" % i, b"0123456789abcdef", 210_000, 32), range(hashes)))
    return hashes / (time.monotonic() - started)


def main():
    if sys.argv[1:] == ["capacity"]:
        print(f"{hashing_capacity():.1f}")
        return
    address, domain, count, rate, prefix, results = sys.argv[1:7]
    count, rate = int(count), float(rate)
    print(f"{count} sign-ups at {rate:.1f}/s", flush=True)
    lock = threading.Lock()
    with open(results, "a", encoding="utf-8") as out, ThreadPoolExecutor(max_workers=64) as pool:
        start = time.monotonic()
        for n in range(count):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(sign_up, address, domain, n, f"{prefix}{n:04d}@mail.test", lock, out)


if __name__ == "__main__":
    main()
