#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive one baresip through its ctrl_tcp module (netstring JSON).

  bs-ctrl.py PORT watch SECONDS          print events until CALL_CLOSED
  bs-ctrl.py PORT call URI STOPFILE SECONDS
        dial URI, print events; once STOPFILE.hold exists put the call
        on hold, once STOPFILE exists hang up; print events until
        CALL_CLOSED

Every event is printed as "TYPE PARAM" on its own line (flushed), every
command response as "RESPONSE ok|fail DATA". Exit status 0 when the call
was closed within SECONDS, 1 otherwise. For tests/suites/84-sip-baresip.sh.
"""
import json
import os
import socket
import sys
import time


def netstring(obj):
    data = json.dumps(obj).encode()
    return str(len(data)).encode() + b":" + data + b","


class Ctrl:
    def __init__(self, port):
        deadline = time.time() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.buf = b""

    def send(self, command, params=None):
        msg = {"command": command, "token": command}
        if params is not None:
            msg["params"] = params
        self.sock.sendall(netstring(msg))

    def messages(self, timeout):
        """Yield decoded messages until timeout seconds pass."""
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        if not chunk:
            raise EOFError
        self.buf += chunk
        while b":" in self.buf:
            head, rest = self.buf.split(b":", 1)
            n = int(head)
            if len(rest) < n + 1:
                break
            yield json.loads(rest[:n])
            self.buf = rest[n + 1:]


def show(msg):
    if msg.get("event"):
        print(msg.get("type", "?"), msg.get("param", ""), flush=True)
        return msg.get("type")
    if msg.get("response"):
        print("RESPONSE", "ok" if msg.get("ok") else "fail",
              msg.get("data", ""), flush=True)
    return None


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    ctrl = Ctrl(port)
    stopfile = None
    if mode == "call":
        uri, stopfile, seconds = sys.argv[3], sys.argv[4], float(sys.argv[5])
        ctrl.send("dial", uri)
    else:
        seconds = float(sys.argv[3])
    deadline = time.time() + seconds
    hung_up = held = False
    while time.time() < deadline:
        for msg in ctrl.messages(0.2):
            if show(msg) == "CALL_CLOSED":
                return 0
        if stopfile and not held and os.path.exists(stopfile + ".hold"):
            ctrl.send("hold")
            held = True
        if stopfile and not hung_up and os.path.exists(stopfile):
            ctrl.send("hangup")
            hung_up = True
    return 1


if __name__ == "__main__":
    sys.exit(main())
