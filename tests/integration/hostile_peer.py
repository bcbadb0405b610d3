#!/usr/bin/env python3
"""hostile_peer.py - small servers on 127.0.0.1 that misbehave on purpose,
and a runner that measures what a headroom command spent facing them.

  hostile_peer.py serve MODE PORT       serve MODE until killed
  hostile_peer.py measure OUT ERR -- CMD...
                                        run CMD, keep its stdout/stderr in
                                        OUT/ERR, print "STATUS SECONDS MAXRSS_KB"
  hostile_peer.py slowloris PORT N SECONDS [FROM]
                                        hold N connections to PORT, each
                                        trickling a request header a byte
                                        every 0.5 s, for SECONDS, from
                                        127.0.0.FROM (default 2; "many": one
                                        address each); print "opened closed"

These stand in for a broken or hostile peer, not for a real server: the
tests that use them check headroom's bounds (time, memory, exit status and
message) against each kind of misbehaviour. Real servers are tested
elsewhere with the real thing (redis-server, prometheus, nginx).
"""
import os
import resource
import socket
import subprocess
import sys
import threading
import time

MIB = 1 << 20
CHURN = 0


def read_some(c, n=65536):
    try:
        return c.recv(n)
    except OSError:
        return b""


def read_request(c):
    """Read an HTTP request's header section (the tests send GETs)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = read_some(c)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def send_all(c, data):
    try:
        c.sendall(data)
        return True
    except OSError:
        return False


def drip(c, data, every):
    for i in range(len(data)):
        if not send_all(c, data[i:i + 1]):
            return
        time.sleep(every)


def http_head(length=None, extra=b""):
    h = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + b"\r\n"


def prom_vector(values):
    res = ",".join('{"metric":{"i":"%d"},"value":[1,"%s"]}' % (i, v) for i, v in enumerate(values))
    return ('{"status":"success","data":{"resultType":"vector","result":[%s]}}' % res).encode()


def flood(c, head, chunk, total):
    """Send head then `total` bytes made of `chunk`, as fast as taken."""
    if not send_all(c, head):
        return
    block = chunk * (65536 // len(chunk) + 1)
    sent = 0
    while sent < total:
        n = min(len(block), total - sent)
        if not send_all(c, block[:n]):
            return
        sent += n


# ---- Redis (RESP) ----------------------------------------------------------

def redis_mode(mode, c):
    while True:
        req = read_some(c)
        if not req:
            return
        if mode == "redis-drip":
            # An INFO reply that takes forever: one byte every 0.5 s.
            drip(c, b"$40\r\nused_memory:1\r\n" + b"x" * 40, 0.5)
            return
        if mode == "redis-array":
            send_all(c, b"*2147483647\r\n")
        elif mode == "redis-flood":
            # 40 MB announced as one bulk string, sent as fast as read.
            flood(c, b"$41943040\r\n", b"x", 41943040)
            return
        elif mode == "redis-many":
            # 40 MB of small, well-formed replies to one command.
            flood(c, b"", b"+OK\r\n", 41943040)
            return
        elif mode == "redis-garbage":
            send_all(c, b"!not resp at all\r\n")
        else:
            return


# ---- HTTP: Prometheus API and probe targets -----------------------------------

def read_body(c, head):
    """The body after a header section already read into `head`."""
    hdr, _, body = head.partition(b"\r\n\r\n")
    m = [l for l in hdr.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    n = int(m[0].split(b":")[1]) if m else 0
    while len(body) < n:
        chunk = read_some(c)
        if not chunk:
            break
        body += chunk
    return body[:n]


def hook(c):
    """A webhook receiver: append each request body to hook.log, answer 200.
    (The request line holds the URL, which is the secret the test planted.)"""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = read_some(c)
        if not chunk:
            return
        data += chunk
    body = read_body(c, data)
    with open("hook.log", "ab") as f:
        f.write(body + b"\n")
    send_all(c, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def http_mode(mode, c):
    if mode == "hook":
        return hook(c)
    while True:
        line = read_request(c)
        if line is None:
            return
        path = line.split(" ")[1] if " " in line else "/"
        if mode == "prom-big":
            # 8 MiB of a flat JSON array: cheap to send, hundreds of MiB to parse.
            head = b'{"status":"success","data":{"resultType":"vector","result":[0'
            body_len = 8 * MIB
            flood(c, http_head(body_len) + head, b",0", body_len - len(head))
            return
        if mode == "prom-drip":
            body = prom_vector(["0.5"])
            send_all(c, http_head(len(body)))
            drip(c, body, 0.5)
            return
        if mode == "prom-churn":
            # 64 series whose labels change every answer: new names each round.
            global CHURN
            CHURN += 1
            res = ",".join('{"metric":{"pod":"p%d-%d"},"value":[1,"0.5"]}' % (CHURN, i) for i in range(64))
            body = ('{"status":"success","data":{"resultType":"vector","result":[%s]}}' % res).encode()
            send_all(c, http_head(len(body)) + body)
            continue
        if mode == "prom-slow":
            # Each answer takes 1.5 s: under a 2 s timeout one by one.
            time.sleep(1.5)
            body = prom_vector(["0.5"])
            send_all(c, http_head(len(body)) + body)
            continue
        if mode in ("prom-nan", "prom-empty", "prom-text"):
            v = {"prom-nan": ["NaN"], "prom-empty": [], "prom-text": ["lots"]}[mode]
            body = prom_vector(v)
            send_all(c, http_head(len(body)) + body)
            continue
        if mode == "prom-series":
            # 256 series per instant query; every range query stalls 3 s.
            if "/query_range" in path:
                time.sleep(3)
                body = b'{"status":"success","data":{"resultType":"matrix","result":[]}}'
            else:
                body = prom_vector(["0.5"] * 256)
            send_all(c, http_head(len(body)) + body)
            continue
        if mode == "http-500":
            # Not hostile: a service failing every request.
            send_all(c, b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nerror")
            continue
        if mode == "http-headers":
            # Headers without end.
            send_all(c, b"HTTP/1.1 200 OK\r\n")
            while send_all(c, b"X-Filler: " + b"y" * 1000 + b"\r\n"):
                pass
            return
        if mode == "http-flood":
            flood(c, http_head(), b"z", 512 * MIB)
            return
        if mode == "http-drip":
            drip(c, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0.5)
            return
        return


def serve(mode, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    handler = redis_mode if mode.startswith("redis-") else http_mode
    while True:
        c, _ = s.accept()

        def run(conn=c):
            try:
                handler(mode, conn)
            finally:
                try:
                    conn.close()
                except OSError:
                    pass
        threading.Thread(target=run, daemon=True).start()


# ---- the runner -----------------------------------------------------------------

def measure(out, err, cmd):
    t0 = time.monotonic()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        p = subprocess.run(cmd, stdout=fo, stderr=fe)
    took = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("%d %.2f %d" % (p.returncode, took, rss))


def slowloris(port, n, seconds, src="2"):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind(("127.0.%d.%d" % (1 + i // 250, 2 + i % 250) if src == "many" else "127.0.0." + src, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            pass
    closed = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.sendall(b"X")
            except OSError:
                closed.add(i)
        time.sleep(0.5)
    print("%d %d" % (len(socks), len(closed)))
    for s in socks:
        s.close()


def main():
    a = sys.argv[1:]
    if a[:1] == ["serve"]:
        serve(a[1], int(a[2]))
    elif a[:1] == ["measure"] and "--" in a:
        k = a.index("--")
        measure(a[1], a[2], a[k + 1:])
    elif a[:1] == ["slowloris"]:
        slowloris(int(a[1]), int(a[2]), float(a[3]), a[4] if len(a) > 4 else "2")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
