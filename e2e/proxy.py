"""A TCP proxy on 127.0.0.1 that the end-to-end test can cut.

    python proxy.py LISTEN_PORT TARGET_PORT

SIGUSR1 cuts it: every open connection is closed and new ones are refused
(the listening socket is closed) until SIGUSR2 restores it. SIGTERM ends it.
"""

import signal
import socket
import sys
import threading
import time

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
down = threading.Event()
lock = threading.Lock()
open_sockets = set()


def close(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def cut(*_):
    down.set()
    with lock:
        for s in list(open_sockets):
            close(s)
        open_sockets.clear()


def restore(*_):
    down.clear()


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        with lock:
            for s in (src, dst):
                if s in open_sockets:
                    open_sockets.discard(s)
                    close(s)


signal.signal(signal.SIGUSR1, cut)
signal.signal(signal.SIGUSR2, restore)
server = None
while True:
    if down.is_set():
        if server is not None:
            server.close()
            server = None
        time.sleep(0.05)
        continue
    if server is None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", listen_port))
        server.listen(16)
        server.settimeout(0.1)
    try:
        client, _ = server.accept()
    except (socket.timeout, OSError):
        continue
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
        upstream.settimeout(None)
    except OSError:
        close(client)
        continue
    client.settimeout(None)
    with lock:
        open_sockets.update((client, upstream))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
