"""One JSON-RPC call to the runtime-475 stand-in (or any node), for tests and
shell scripts:

    python e2e/standin_admin.py ws://127.0.0.1:P standin_newBlocks '[3]'
    python e2e/standin_admin.py ws://127.0.0.1:P standin_setStorage \\
        '[[{"pallet":"SubtensorModule","item":"Difficulty","params":[1],"value":50000}]]'
    python e2e/standin_admin.py ws://127.0.0.1:P standin_getStorage '["SubtensorModule","Uids",[1,"5F..."]]'

Prints the result as JSON; on a JSON-RPC error prints it to stderr and exits 1.
Only ws://127.0.0.1 endpoints.
"""

import json
import sys

from websockets.sync.client import connect


def call(url: str, method: str, params=None, timeout: float = 30):
    if not url.startswith("ws://127.0.0.1:"):
        raise SystemExit("standin_admin: only ws://127.0.0.1:PORT")
    with connect(url, max_size=None, open_timeout=timeout, close_timeout=2) as ws:
        ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}))
        while True:
            reply = json.loads(ws.recv(timeout=timeout))
            if reply.get("id") == 1:
                return reply


def main() -> None:
    url, method = sys.argv[1], sys.argv[2]
    params = json.loads(sys.argv[3]) if len(sys.argv) > 3 else []
    reply = call(url, method, params)
    if "error" in reply:
        print(json.dumps(reply["error"]), file=sys.stderr)
        sys.exit(1)
    print(json.dumps(reply["result"]))


if __name__ == "__main__":
    main()
