#!/usr/bin/env python3
"""raw_rpc.py SOCKET TYPE CRED_MODE [TTL]: send one hand-built request to the
controller and print the rc of its RESPONSE_RC reply (or "closed").

The envelope is encoded here by hand (protobuf wire format) and the credential
comes from the real `munge` command, so the test exercises exactly what munged
and the controller check, without going through our client library:
  CRED_MODE fresh    a new credential for this message
  CRED_MODE replay   the same credential sent twice (prints both rcs)
  CRED_MODE mismatch a credential made for another message type
  CRED_MODE expired  a credential with TTL seconds, sent after it expired
  CRED_MODE none     no credential at all
"""
import hashlib, os, socket, struct, subprocess, sys, time

VERSION = 0x00010000


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field_varint(num, val):
    return varint(num << 3) + varint(val)


def field_bytes(num, data):
    return varint((num << 3) | 2) + varint(len(data)) + data


def read_varint(buf, i):
    shift = val = 0
    while True:
        b = buf[i]
        i += 1
        val |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return val, i


def parse(buf):
    """Map field number -> value (varint or bytes) for a flat message."""
    out, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            out[num], i = read_varint(buf, i)
        elif wt == 2:
            ln, i = read_varint(buf, i)
            out[num] = buf[i:i + ln]
            i += ln
        else:
            raise ValueError("unexpected wire type %d" % wt)
    return out


def make_cred(munge_socket, msg_type, ttl=None):
    digest = hashlib.sha256(struct.pack(">I", msg_type)).digest()
    cmd = ["munge", "-S", munge_socket]
    if ttl:
        cmd += ["-t", str(ttl)]
    return subprocess.run(cmd, input=digest, capture_output=True, check=True).stdout.strip()


def send(path, msg_type, cred):
    env = field_varint(1, VERSION) + field_varint(2, msg_type)
    if cred is not None:
        env += field_bytes(3, cred)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    s.sendall(struct.pack(">I", len(env)) + env)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    if len(data) < 4:
        return "closed"
    reply = parse(data[4:4 + struct.unpack(">I", data[:4])[0]])
    body = parse(reply.get(4, b""))
    return str(body.get(1, 0))


def main():
    path, munge_socket, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    ping, job_info = 1, 4
    if mode == "fresh":
        print(send(path, ping, make_cred(munge_socket, ping)))
    elif mode == "replay":
        cred = make_cred(munge_socket, ping)
        print(send(path, ping, cred), send(path, ping, cred))
    elif mode == "mismatch":
        print(send(path, job_info, make_cred(munge_socket, ping)))
    elif mode == "expired":
        cred = make_cred(munge_socket, ping, ttl=1)
        time.sleep(3)
        print(send(path, ping, cred))
    elif mode == "none":
        print(send(path, ping, None))


main()
