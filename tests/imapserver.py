"""A small IMAP server for tests, on 127.0.0.1: just what imaplib and `maap fetch-mail` use.

CAPABILITY, NOOP, LOGIN, SELECT, CREATE, LIST, UID SEARCH/FETCH/COPY/MOVE/STORE, EXPUNGE and LOGOUT, over one
in-memory mailbox. ``move=False`` plays a server without the MOVE extension (COPY + \\Deleted + EXPUNGE).
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field

_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\((?:[^()]|\([^()]*\))*\))|(\S+)')


@dataclass
class Stored:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)


class FakeImap:
    """An IMAP server holding ``messages`` in INBOX until a client moves them."""

    def __init__(self, user: str, password: str, messages: list[bytes], move: bool = True):
        self.user, self.password, self.move = user, password, move
        self.folders: dict[str, list[Stored]] = {"INBOX": [Stored(i + 1, m) for i, m in enumerate(messages)]}
        self.next_uid = len(messages) + 1
        self.commands: list[str] = []  # every command name received, in order (never their arguments)
        self.lines: list[bytes] = []  # every line received (to show what reached the server)
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                outer._serve(self.rfile, self.wfile)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeImap:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, rfile, wfile) -> None:
        state = {"auth": False, "folder": None}

        def send(line: bytes) -> None:
            wfile.write(line + b"\r\n")

        send(b"* OK test IMAP server ready")
        while True:
            line = rfile.readline()
            if not line:
                return
            self.lines.append(line)
            tokens = [m.group(m.lastindex) for m in _TOKEN.finditer(line.rstrip(b"\r\n"))]
            if len(tokens) < 2:
                send(b"* BAD no command")
                continue
            tag, command, args = tokens[0], tokens[1].upper(), tokens[2:]
            if command == b"UID" and args:
                command, args = b"UID " + args[0].upper(), args[1:]
            self.commands.append(command.decode())
            with self.lock:
                if self._command(command, args, state, send, tag) == "bye":
                    wfile.flush()
                    return
            wfile.flush()

    def _command(self, command: bytes, args: list[bytes], state: dict, send, tag: bytes):
        ok = lambda text=b"done": send(tag + b" OK " + text)  # noqa: E731
        no = lambda text: send(tag + b" NO " + text)  # noqa: E731
        if command == b"CAPABILITY":
            send(b"* CAPABILITY IMAP4rev1" + (b" MOVE" if self.move else b""))
            return ok()
        if command == b"NOOP":
            return ok()
        if command == b"LOGOUT":
            send(b"* BYE logging out")
            ok()
            return "bye"
        if command == b"LOGIN":
            user, password = (a.decode() for a in args[:2])
            if (user, password.replace('\\"', '"').replace("\\\\", "\\")) != (self.user, self.password):
                return no(b"[AUTHENTICATIONFAILED] Invalid credentials")
            state["auth"] = True
            return ok()
        if not state["auth"]:
            return send(tag + b" BAD log in first")
        if command == b"SELECT":
            name = args[0].decode()
            if name not in self.folders:
                return no(b"no such folder")
            state["folder"] = name
            send(b"* %d EXISTS" % len(self.folders[name]))
            send(b"* OK [UIDVALIDITY 7] UIDs valid")
            return ok(b"[READ-WRITE] selected")
        if command == b"CREATE":
            name = args[0].decode()
            if name in self.folders:
                return no(b"[ALREADYEXISTS] folder exists")
            self.folders[name] = []
            return ok()
        if command == b"LIST":
            name = args[-1].decode() if args else ""
            if name in self.folders:
                send(b'* LIST () "/" ' + name.encode())
            return ok()
        if command == b"EXPUNGE":
            box = self.folders[state["folder"]]
            for seq in reversed([i + 1 for i, m in enumerate(box) if "\\Deleted" in m.flags]):
                del box[seq - 1]
                send(b"* %d EXPUNGE" % seq)
            return ok()
        if command.startswith(b"UID ") and state["folder"]:
            return self._uid(command[4:], args, state["folder"], send, ok, no)
        return send(tag + b" BAD unknown command")

    def _uid(self, command: bytes, args: list[bytes], folder: str, send, ok, no):
        box = self.folders[folder]
        if command == b"SEARCH":
            send(b"* SEARCH" + b"".join(b" %d" % m.uid for m in box if "\\Deleted" not in m.flags))
            return ok()
        found = [(i + 1, m) for i, m in enumerate(box) if m.uid == int(args[0])]
        if not found:
            return ok()  # a UID command on a missing message is not an error in IMAP
        seq, message = found[0]
        if command == b"FETCH":
            send(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (seq, message.uid, len(message.data)) + message.data + b")")
            return ok()
        if command in (b"COPY", b"MOVE"):
            if command == b"MOVE" and not self.move:
                return no(b"MOVE not supported")
            target = args[1].decode()
            if target not in self.folders:
                return no(b"[TRYCREATE] no such folder")
            self.folders[target].append(Stored(self.next_uid, message.data, set()))
            self.next_uid += 1
            if command == b"MOVE":
                del box[seq - 1]
                send(b"* %d EXPUNGE" % seq)
            return ok()
        if command == b"STORE":
            message.flags |= set(re.findall(r"\\\w+", args[2].decode()))
            send(b"* %d FETCH (FLAGS (%s) UID %d)" % (seq, " ".join(sorted(message.flags)).encode(), message.uid))
            return ok()
        return no(b"unknown UID command")
