#!/usr/bin/env python3
"""Loopback targets for the network benchmark: N listening ports that
accept, and M "silent" ports whose zero-backlog queue is full, so a new
connection gets no answer; plus, for `http` checks, one HTTP server and M
"mute" ports that accept and then never answer. Writes `open`, `silent`,
`http` and `mute` port lists to DIR/ports and serves until killed.
Usage: net_targets.py DIR N M"""
import http.server
import os
import socket
import sys
import threading

out, n_open, n_silent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keep = []


def accept_forever(s):
    while True:
        conn, _ = s.accept()
        conn.close()


open_ports = []
for _ in range(n_open):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    threading.Thread(target=accept_forever, args=(s,), daemon=True).start()
    keep.append(s)
    open_ports.append(s.getsockname()[1])

silent_ports = []
for _ in range(n_silent):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    port = s.getsockname()[1]
    for _ in range(4):  # fill the accept queue
        c = socket.socket()
        c.settimeout(0.3)
        try:
            c.connect(("127.0.0.1", port))
            keep.append(c)
        except OSError:
            c.close()
    keep.append(s)
    silent_ports.append(port)


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"status: healthy\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    # The default backlog of 5 drops connections when many checks connect
    # at once, and each dropped SYN costs the client a 1 s retransmit.
    request_queue_size = 1024


web = Server(("127.0.0.1", 0), Ok)
threading.Thread(target=web.serve_forever, daemon=True).start()


def hold_forever(s):
    while True:
        conn, _ = s.accept()
        keep.append(conn)


mute_ports = []
for _ in range(n_silent):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    threading.Thread(target=hold_forever, args=(s,), daemon=True).start()
    keep.append(s)
    mute_ports.append(s.getsockname()[1])

with open(os.path.join(out, "ports.tmp"), "w") as f:
    f.write("open " + " ".join(map(str, open_ports)) + "\n")
    f.write("silent " + " ".join(map(str, silent_ports)) + "\n")
    f.write("http " + str(web.server_address[1]) + "\n")
    f.write("mute " + " ".join(map(str, mute_ports)) + "\n")
os.rename(os.path.join(out, "ports.tmp"), os.path.join(out, "ports"))
threading.Event().wait()
