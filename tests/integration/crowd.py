#!/usr/bin/env python3
"""crowd.py - many clients from many loopback addresses against the agent's
endpoints, with /healthz probed from 127.0.0.1 throughout.

  crowd.py idle PORT N PROBES      open N connections, each from its own
                                   address (127.1.0.2, 127.1.0.3, ...), that
                                   never send a byte, and hold them while
                                   PROBES probes run, 0.2 s apart
  crowd.py churn PORT N PROBES     N addresses, each keeping one connection
                                   that trickles a request header a byte
                                   every 0.5 s and reconnects at once when
                                   the server closes it, while PROBES probes
                                   run, 0.25 s apart

A probe is a new connection from 127.0.0.1 sending GET /healthz; it counts
as answered when "HTTP/1.1 200" comes back within 3 s. Prints one line,
"OPENED CLOSED PROBES ANSWERED WORST": the crowd's connections opened and
those the server closed, the probes run and answered, and the slowest
answered probe in seconds (-1 when none was).

127.0.0.0/8 is loopback as a whole on Linux, so each address is a distinct
client to the server without any set-up. N is bounded by the open-file
limit, which the caller raises (ulimit -n) and checks first.
"""
import errno
import os
import selectors
import socket
import sys
import threading
import time

PROBE_TIMEOUT = 3.0


def address(i):
    """The i-th crowd address: 127.1.0.2 on, never 127.0.0.1 (the probe's)."""
    return "127.%d.%d.%d" % (1 + i // 62500, (i // 250) % 250, 2 + i % 250)


def open_one(i, port):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.bind((address(i), 0))
        err = s.connect_ex(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    if err not in (0, errno.EINPROGRESS):
        s.close()
        return None
    return s


def probe(port, results):
    t = time.monotonic()
    ok = False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as s:
            s.settimeout(max(0.01, PROBE_TIMEOUT - (time.monotonic() - t)))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while len(data) < 12:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    took = time.monotonic() - t
    results.append((ok and took <= PROBE_TIMEOUT, took))


def run_probes(port, n, every, results):
    threads = []
    for _ in range(n):
        th = threading.Thread(target=probe, args=(port, results))
        th.start()
        threads.append(th)
        time.sleep(every)
    for th in threads:
        th.join()


def closed_by_peer(s):
    """Has the server closed (or reset) this connection?"""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def idle(port, n, probes):
    socks = [s for s in (open_one(i, port) for i in range(n)) if s]
    results = []
    run_probes(port, probes, 0.2, results)
    closed = sum(closed_by_peer(s) for s in socks)
    for s in socks:
        s.close()
    return len(socks), closed, results


def churn(port, n, probes):
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
    socks = [None] * n
    sent = [0] * n
    opened = closed = 0
    results = []
    prober = threading.Thread(target=run_probes, args=(port, probes, 0.25, results))
    prober.start()
    next_byte = time.monotonic()
    while prober.is_alive():
        now = time.monotonic()
        trickle = now >= next_byte
        if trickle:
            next_byte = now + 0.5
        for i in range(n):
            s = socks[i]
            if s is not None and closed_by_peer(s):
                s.close()
                s = socks[i] = None
                closed += 1
            if s is None:
                s = socks[i] = open_one(i, port)
                sent[i] = 0
                if s is not None:
                    opened += 1
                continue
            if trickle:
                data = head[sent[i]:sent[i] + 1] or b"X"
                try:
                    s.send(data)
                    sent[i] += 1
                except BlockingIOError:
                    pass
                except OSError:
                    s.close()
                    socks[i] = None
                    closed += 1
        time.sleep(0.02)
    for s in socks:
        if s is not None:
            s.close()
    return opened, closed, results


def main():
    a = sys.argv[1:]
    if len(a) != 4 or a[0] not in ("idle", "churn"):
        sys.exit(__doc__)
    port, n, probes = int(a[1]), int(a[2]), int(a[3])
    opened, closed, results = (idle if a[0] == "idle" else churn)(port, n, probes)
    answered = [t for ok, t in results if ok]
    print("%d %d %d %d %.3f"
          % (opened, closed, len(results), len(answered), max(answered) if answered else -1))


if __name__ == "__main__":
    main()
