#!/usr/bin/env python3
"""Loopback targets for the http smoke steps under Wine: a plain HTTP server,
the same over TLS (certificate and key given), and a port that accepts and
never answers. Writes "plain PORT", "tls PORT", "mute PORT" to DIR/ports and
serves until killed. Usage: http_targets.py DIR CERT KEY"""
import http.server
import os
import socket
import ssl
import sys
import threading

out, cert, key = sys.argv[1:4]


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"status: healthy\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
for server in (plain, tls):
    threading.Thread(target=server.serve_forever, daemon=True).start()

mute = socket.socket()
mute.bind(("127.0.0.1", 0))
mute.listen(16)
held = []
threading.Thread(target=lambda: [held.append(mute.accept()) for _ in iter(int, 1)], daemon=True).start()

with open(os.path.join(out, "ports.tmp"), "w") as f:
    f.write(f"plain {plain.server_address[1]}\ntls {tls.server_address[1]}\nmute {mute.getsockname()[1]}\n")
os.rename(os.path.join(out, "ports.tmp"), os.path.join(out, "ports"))
threading.Event().wait()
