#!/usr/bin/env python3
"""mail-client.py PROTO HOST PORT SRC [--tls] [--refused] [--login USER PASS]
-- one mail client session for tests/tools/mail-lab.sh, from source address
SRC (a loopback address, so that the server's log names this session).

PROTO is smtp, imap, pop3 or sieve. --tls starts with TLS (465, 993, 995;
certificates are not checked: the lab's are self-signed). A session reads
the greeting, says hello (EHLO; LOGIN or USER/PASS with --login; nothing
for ManageSieve) and logs out; it passes when every reply is the success
the protocol defines.

--refused expects the opposite: the port wants a PROXY header, so the
session sends a plain command at once and passes when the server closes
the connection without ever greeting (within 15 s).

Prints one line (what the server said, or why not) and exits 0 or 1.
"""
import socket
import ssl
import sys

TIMEOUT = 15


class Session:
    def __init__(self, host, port, src, tls):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT, source_address=(src, 0))
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")


def smtp_reply(s):
    """A whole (multi-line) SMTP reply: its last line."""
    while True:
        line = s.line()
        if len(line) < 4 or line[3] != "-":
            return line


def session(proto, s, login):
    if proto == "smtp":
        greeting = smtp_reply(s)
        if not greeting.startswith("220 "):
            return False, f"greeting {greeting!r}"
        s.send("EHLO client.example.test")
        ehlo = smtp_reply(s)
        s.send("QUIT")
        return ehlo.startswith("250 "), f"{greeting} / {ehlo}"
    if proto == "imap":
        greeting = s.line()
        if not greeting.startswith("* OK"):
            return False, f"greeting {greeting!r}"
        if login:
            s.send(f"a LOGIN {login[0]} {login[1]}")
            while True:
                r = s.line()
                if r.startswith("a "):
                    break
            if not r.startswith("a OK"):
                return False, f"login {r!r}"
        s.send("b LOGOUT")
        return True, f"{greeting}" + (f" / {r}" if login else "")
    if proto == "pop3":
        greeting = s.line()
        if not greeting.startswith("+OK"):
            return False, f"greeting {greeting!r}"
        r = ""
        if login:
            s.send(f"USER {login[0]}")
            s.line()
            s.send(f"PASS {login[1]}")
            r = s.line()
            if not r.startswith("+OK"):
                return False, f"login {r!r}"
        s.send("QUIT")
        return True, f"{greeting}" + (f" / {r}" if login else "")
    if proto == "sieve":
        while True:
            line = s.line()
            if line.startswith("OK"):
                break
            if line.startswith(("NO", "BYE")):
                return False, f"greeting {line!r}"
        s.send("LOGOUT")
        return True, line
    raise SystemExit(f"unknown protocol {proto}")


def main():
    args = sys.argv[1:]
    tls = "--tls" in args
    refused = "--refused" in args
    login = None
    if "--login" in args:
        i = args.index("--login")
        login = (args[i + 1], args[i + 2])
        del args[i:i + 3]
    args = [a for a in args if a not in ("--tls", "--refused")]
    proto, host, port, src = args[0], args[1], int(args[2]), args[3]
    try:
        s = Session(host, port, src, tls and not refused)
    except (OSError, ssl.SSLError) as e:
        print(f"no connection: {e}")
        return 0 if refused and not isinstance(e, socket.timeout) else 1
    if refused:
        # No PROXY header: a plain command (a TLS ClientHello would do the same).
        try:
            s.send({"smtp": "EHLO client.example.test", "imap": "a CAPABILITY", "pop3": "CAPA",
                    "sieve": "CAPABILITY"}[proto])
            data = s.sock.recv(4096)
            while data:
                text = data.decode("utf-8", "replace")
                if text.startswith(("220", "* OK", "+OK", "\"IMPLEMENTATION\"", "OK")):
                    print(f"greeted without a PROXY header: {text.splitlines()[0]!r}")
                    return 1
                data = s.sock.recv(4096)
            print("closed without a greeting")
            return 0
        except socket.timeout:
            print(f"neither greeted nor closed within {TIMEOUT} s")
            return 1
        except OSError as e:
            print(f"closed without a greeting ({e.__class__.__name__})")
            return 0
    try:
        ok, what = session(proto, s, login)
    except (OSError, EOFError, ssl.SSLError) as e:
        ok, what = False, f"{e.__class__.__name__}: {e}"
    print(what)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
