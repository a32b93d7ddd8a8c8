"""A local SMTP sink for the notifications benchmark: aiosmtpd on 127.0.0.1, storing every
accepted message (recipient, Message-ID, raw bytes) in one file. Prints "ready PORT"."""

import argparse
import signal
import threading

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, path: str):
        self.file = open(path, "wb")  # noqa: SIM115  (closed on exit)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        message_id = b""
        for line in content.split(b"\r\n", 80)[:80]:
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip()
                break
        rcpt = ",".join(envelope.rcpt_tos).encode()
        with self.lock:
            self.file.write(b"%d %s %s\n" % (len(content), rcpt, message_id or b"-"))
            self.file.write(content)
            self.file.flush()
        return "250 OK"


def read(path: str):
    """Yield (recipient, message_id, raw bytes) from a store file."""
    with open(path, "rb") as stored:
        while header := stored.readline():
            size, rcpt, message_id = header.split(b" ")
            yield rcpt.decode(), message_id.strip().decode(), stored.read(int(size))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", required=True)
    args = parser.parse_args()
    store = Store(args.store)
    controller = Controller(store, hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"ready {args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    store.file.close()


if __name__ == "__main__":
    main()
