"""Hostile HTTP answers for testing a downloader on 127.0.0.1: gzip bombs and servers that drip.

:func:`gzip_bomb` makes a small gzip body that expands to any size, fast (the compressed block of
1 MiB of zeros is made once and repeated: every copy ends in a full flush, so the copies decode
on their own). :func:`drip_server` serves a body one byte at a time with a pause between bytes,
which per-read timeouts never catch; it runs in a thread and stops when the ``with`` block ends.

Examples:
    >>> import gzip
    >>> len(gzip_bomb(8 * 2**20)) < 40_000, len(gzip.decompress(gzip_bomb(3 * 2**20)))
    (True, 3145728)
"""

from __future__ import annotations

import contextlib
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Iterator

__all__ = ["drip_server", "gzip_bomb"]

_MIB = 1 << 20


def gzip_bomb(expanded: int) -> bytes:
    """A gzip body of zeros that decodes to ``expanded`` bytes (a whole number of MiB), with a valid trailer.

    Examples:
        >>> import gzip
        >>> gzip.decompress(gzip_bomb(2**20)) == bytes(2**20)
        True
    """
    if expanded % _MIB:
        raise ValueError("expanded must be a whole number of MiB")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(_MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    zero = bytes(_MIB)
    count = expanded // _MIB
    for _ in range(count):
        crc = zlib.crc32(zero, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty last block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * count + final + struct.pack("<II", crc, expanded & 0xFFFFFFFF)


@contextlib.contextmanager
def drip_server(body: bytes = b"x" * 1000, *, pause: float = 0.5, content_type: str = "text/csv") -> Iterator[str]:
    """A URL on 127.0.0.1 that answers 200 and sends ``body`` one byte every ``pause`` seconds.

    The server stops sending when the client hangs up, and is shut down when the block ends.

    Examples:
        >>> import httpx
        >>> with drip_server(b"ab", pause=0.01) as url:
        ...     httpx.get(url).content
        b'ab'
    """
    stop = threading.Event()

    class Drip(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # the request line and headers
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
            try:
                self.wfile.write(head.encode("ascii"))
                for index in range(len(body)):
                    if stop.is_set():
                        return
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:
                return  # the client hung up

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    with Server(("127.0.0.1", 0), Drip) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            yield f"http://{host!s}:{port}/drip"
        finally:
            stop.set()
            server.shutdown()
            thread.join(timeout=5)
