"""A websocket JSON-RPC server on 127.0.0.1 that is not a real node: it
answers the first thing a client asks (the genesis hash) in one of several
ways, so the end-to-end test can show what btpow-bench says about each.

    python fake_node.py PORT MODE

MODE:
  finney   the genesis hash is finney's; every other method is refused
           (Method not found), as a node without them would refuse it
  garbage  every answer is a JSON object where a hash belongs
  huge     every answer is 16 MiB long (more than a client should take)

It serves until it is killed; a client's connection is handled in a thread.
"""

import json
import sys

from websockets.sync.server import serve

FINNEY = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"

port, mode = int(sys.argv[1]), sys.argv[2]


def answer(request):
    rid = request.get("id")
    if mode == "finney":
        if request.get("method") == "chain_getBlockHash":
            return {"jsonrpc": "2.0", "id": rid, "result": FINNEY}
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}}
    if mode == "garbage":
        return {"jsonrpc": "2.0", "id": rid, "result": {"not": "a hash"}}
    if mode == "huge":
        return {"jsonrpc": "2.0", "id": rid, "result": "0x" + "00" * (8 << 20)}
    raise SystemExit(f"unknown mode {mode}")


def handler(ws):
    for message in ws:
        try:
            request = json.loads(message)
        except ValueError:
            continue
        ws.send(json.dumps(answer(request)))


with serve(handler, "127.0.0.1", port, max_size=None) as server:
    print(f"fake_node: {mode} on ws://127.0.0.1:{port}", flush=True)
    server.serve_forever()
