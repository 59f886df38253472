"""An SNTP responder on 127.0.0.1 for the Wine checks: its clock is SKEW
seconds ahead. Writes its port to PORTFILE, then answers until killed.

usage: sntp.py SKEW PORTFILE
"""
import socket
import struct
import sys
import time

skew = float(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
with open(sys.argv[2], "w") as f:
    f.write(str(sock.getsockname()[1]))


def ntp(t):
    t += 2208988800
    secs = int(t)
    return struct.pack("!II", secs & 0xFFFFFFFF, int((t - secs) * 2**32))


while True:
    data, peer = sock.recvfrom(512)
    if len(data) < 48:
        continue
    received = time.time() + skew
    # Leap 0, version 4, mode 4 (server); stratum 2; our transmit time
    # answers the client's (its originate), then receive and transmit.
    reply = bytes([0x24, 2, 6, 0xEC]) + bytes(20) + data[40:48] + ntp(received) + ntp(time.time() + skew)
    sock.sendto(reply, peer)
