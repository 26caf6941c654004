#!/usr/bin/env python3
"""The local stack's test resolver: a small authoritative DNS server for the stack's test domains.

It answers A, AAAA, MX and TXT questions over UDP and TCP from the zone files in one directory
(every *.zone file), read again on each question: a test or ops/dkim-rotate changes a record by
writing a file, with nothing to reload. Names not in any file get NXDOMAIN. Loopback only.

Zone file lines (blank lines and lines starting with # are ignored):
    <name> <type> <value>
    salesmind.test               TXT  "v=spf1 ip4:127.0.0.1 -all"
    s1._domainkey.salesmind.test TXT  "v=DKIM1; k=rsa; " "p=MIIB..."
    salesmind.test               MX   10 mail.salesmind.test
    mail.salesmind.test          A    127.0.0.1
A TXT value is one or more quoted strings (joined) or the rest of the line; it is sent in
strings of at most 255 bytes, as DNS requires.

Usage: test-resolver.py --zones DIR --port PORT [--address 127.0.0.1]
"""
import argparse
import glob
import os
import socket
import socketserver
import struct
import threading

TYPES = {"A": 1, "MX": 15, "TXT": 16, "AAAA": 28}
ANY = 255


def parse_value(rtype, text):
    text = text.strip()
    if rtype == "TXT":
        if text.startswith('"'):
            parts, i = [], 0
            while i < len(text):
                if text[i] == '"':
                    j, buf = i + 1, []
                    while j < len(text) and text[j] != '"':
                        if text[j] == "\\" and j + 1 < len(text):
                            j += 1
                        buf.append(text[j])
                        j += 1
                    parts.append("".join(buf))
                    i = j + 1
                else:
                    i += 1
            text = "".join(parts)
        data = text.encode()
        chunks = [data[k:k + 255] for k in range(0, len(data), 255)] or [b""]
        return b"".join(bytes([len(c)]) + c for c in chunks)
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, text)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, text)
    if rtype == "MX":
        preference, host = text.split(None, 1)
        return struct.pack("!H", int(preference)) + encode_name(host.strip())
    raise ValueError(rtype)


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def load_zone(directory):
    """{name: [(type, rdata)]}, names lower-case without the final dot. Bad lines are skipped."""
    records = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.zone"))):
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            continue  # removed while we read the directory
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(None, 2)
            if len(fields) < 3 or fields[1].upper() not in TYPES:
                continue
            name, rtype = fields[0].lower().rstrip("."), fields[1].upper()
            try:
                records.setdefault(name, []).append((TYPES[rtype], parse_value(rtype, fields[2])))
            except (ValueError, OSError):
                continue
    return records


def read_question(packet):
    labels, i = [], 12
    while True:
        length = packet[i]
        if length == 0:
            i += 1
            break
        if length & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(packet[i + 1:i + 1 + length].decode("ascii", "replace"))
        i += 1 + length
    qtype, qclass = struct.unpack("!HH", packet[i:i + 4])
    return ".".join(labels).lower(), qtype, qclass, packet[12:i + 4], i + 4


def edns_size(packet, offset, arcount):
    """The requester's UDP payload size from its OPT record (512 without one)."""
    try:
        for _ in range(arcount):
            if packet[offset] == 0 and struct.unpack("!H", packet[offset + 1:offset + 3])[0] == 41:
                return max(512, struct.unpack("!H", packet[offset + 3:offset + 5])[0])
            break
    except (IndexError, struct.error):
        pass
    return 512


def answer(packet, zones, udp):
    if len(packet) < 12:
        return None
    ident, flags, qdcount, _, _, arcount = struct.unpack("!6H", packet[:12])
    if flags & 0x8000 or qdcount != 1:
        return None
    try:
        name, qtype, qclass, question, end = read_question(packet)
    except (IndexError, ValueError, struct.error):
        return struct.pack("!6H", ident, 0x8000 | 1, 0, 0, 0, 0)  # FORMERR
    records = load_zone(zones)
    found = records.get(name)
    rcode = 0 if found is not None else 3  # NXDOMAIN
    answers = [(t, d) for t, d in (found or []) if qclass == 1 and (qtype in (t, ANY))]
    body = b""
    for rtype, rdata in answers:
        # the question's name by pointer (offset 12), class IN, TTL 0: tests change records at will
        body += struct.pack("!HHHIH", 0xC00C, rtype, 1, 0, len(rdata)) + rdata
    # QR, AA, and RD copied from the question
    reply_flags = 0x8000 | 0x0400 | (flags & 0x0100) | rcode
    reply = struct.pack("!6H", ident, reply_flags, 1, len(answers), 0, 0) + question + body
    if udp and len(reply) > edns_size(packet, end, arcount):
        # too big for this UDP answer: say so (TC), and the client asks again over TCP
        reply = struct.pack("!6H", ident, reply_flags | 0x0200, 1, 0, 0, 0) + question
    return reply


class Udp(socketserver.ThreadingUDPServer):
    allow_reuse_address = True
    daemon_threads = True


class Tcp(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description="The local stack's test DNS resolver (see the module's text).")
    parser.add_argument("--zones", required=True, help="directory of *.zone files")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()
    zones = args.zones

    class UdpHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            reply = answer(data, zones, udp=True)
            if reply:
                sock.sendto(reply, self.client_address)

    class TcpHandler(socketserver.StreamRequestHandler):
        def handle(self):
            self.connection.settimeout(5)
            try:
                while True:
                    head = self.rfile.read(2)
                    if len(head) < 2:
                        return
                    data = self.rfile.read(struct.unpack("!H", head)[0])
                    reply = answer(data, zones, udp=False)
                    if not reply:
                        return
                    self.wfile.write(struct.pack("!H", len(reply)) + reply)
            except (OSError, socket.timeout):
                return

    udp = Udp((args.address, args.port), UdpHandler)
    tcp = Tcp((args.address, args.port), TcpHandler)
    threading.Thread(target=udp.serve_forever, daemon=True).start()
    print(f"test resolver on {args.address}:{args.port} (udp and tcp), zones in {zones}", flush=True)
    tcp.serve_forever()


if __name__ == "__main__":
    main()
