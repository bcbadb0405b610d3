#!/usr/bin/env python3
"""A deliberately simple HTTP/1.1 server for the bench integration tests.

Paths (anything else is 404):
  /slow     holds one of --workers slots for --service-ms, then answers
            (capacity = workers / service time, by construction)
  /contended  no slot limit, but a request that starts while n are in
            service (itself included) takes --service-ms x (1 + --contention
            x n (n - 1)): the USL's coherency term, so throughput rises,
            peaks and then falls as concurrency grows
  /chunked  a chunked body written in pieces, with a trailer
  /close    a body delimited by closing the connection (no Content-Length)
  /reset    reads the request, then resets the connection (RST)
  /fixed    a Content-Length body
Each response is logged to --log as "path status bytes" so tests can compare
counts and bytes; /slow adds the seconds it held its slot, which a busy
machine stretches past --service-ms. Listens on 127.0.0.1 only.
"""
import argparse
import asyncio
import socket
import struct
import time

BODY = b"0123456789abcdef" * 8  # 128 bytes


def head(status, extra):
    return ("HTTP/1.1 %s\r\nServer: bench-test\r\n%s\r\n" % (status, extra)).encode()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--service-ms", type=float, default=25.0)
    ap.add_argument("--contention", type=float, default=0.25)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    slots = asyncio.Semaphore(a.workers)
    log = open(a.log, "a", buffering=1)
    inflight = [0]

    async def handle(reader, writer):
        try:
            while True:
                req = await reader.readuntil(b"\r\n\r\n")
                line = req.split(b"\r\n", 1)[0].decode("latin-1")
                path = line.split(" ")[1] if " " in line else "/"
                if path == "/slow":
                    async with slots:
                        t = time.monotonic()
                        await asyncio.sleep(a.service_ms / 1000.0)
                        held = time.monotonic() - t
                    out = head("200 OK", "Content-Length: 3\r\n") + b"ok\n"
                    writer.write(out)
                    log.write("%s 200 %d %.6f\n" % (path, len(out), held))
                    await writer.drain()
                    continue
                elif path == "/contended":
                    inflight[0] += 1
                    n = inflight[0]
                    try:
                        await asyncio.sleep(a.service_ms / 1000.0 * (1 + a.contention * n * (n - 1)))
                    finally:
                        inflight[0] -= 1
                    out = head("200 OK", "Content-Length: 3\r\n") + b"ok\n"
                    writer.write(out)
                    log.write("%s 200 %d\n" % (path, len(out)))
                    await writer.drain()
                    continue
                elif path == "/fixed":
                    out = head("200 OK", "Content-Length: %d\r\n" % len(BODY)) + BODY
                    writer.write(out)
                elif path == "/chunked":
                    out = head("200 OK", "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n")
                    writer.write(out)
                    await writer.drain()
                    n = len(out)
                    for piece in (b"5\r\nhello\r\n", b"1", b"0;ext=1\r\n", b"0123456789abcdef\r\n",
                                  b"0\r\nX-Sum: 21\r\n", b"\r\n"):
                        writer.write(piece)
                        await writer.drain()
                        n += len(piece)
                    log.write("%s 200 %d\n" % (path, n))
                    continue
                elif path == "/close":
                    out = head("200 OK", "Connection: close\r\n") + BODY
                    writer.write(out)
                    await writer.drain()
                    log.write("%s 200 %d\n" % (path, len(out)))
                    writer.close()
                    return
                elif path == "/reset":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    log.write("%s 0 0\n" % path)
                    writer.transport.abort()
                    return
                else:
                    out = head("404 Not Found", "Content-Length: 0\r\n")
                    writer.write(out)
                log.write("%s %s %d\n" % (path, out[9:12].decode(), len(out)))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", a.port, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())
