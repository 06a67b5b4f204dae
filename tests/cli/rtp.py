#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send RTP packets and count what comes back, for the CLI suite.

rtp.py SRC_PORT DST_PORT COUNT [RECV_PORT]: send COUNT RTP packets (PT 0,
SSRC 0x11223344, sequence 100 on, 160 samples apart, 20-byte payload) from
127.0.0.1:SRC_PORT to 127.0.0.1:DST_PORT; with RECV_PORT, print how many
arrived on 127.0.0.1:RECV_PORT within 3 s of the last send.
"""
import socket
import struct
import sys


def main():
    src, dst, count = (int(a) for a in sys.argv[1:4])
    recv = int(sys.argv[4]) if len(sys.argv) > 4 else None
    rx = None
    if recv is not None:
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", recv))
        rx.settimeout(3)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.bind(("127.0.0.1", src))
    for i in range(count):
        hdr = struct.pack("!BBHII", 0x80, 0, 100 + i, 160 * i, 0x11223344)
        tx.sendto(hdr + bytes(20), ("127.0.0.1", dst))
    if rx is None:
        return
    got = 0
    try:
        while got < count:
            rx.recv(2048)
            got += 1
    except socket.timeout:
        pass
    print(got)


main()
