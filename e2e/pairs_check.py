"""Checks the JSON events of `btpow-bench solve` runs over several
(hotkey, subnet) pairs. Prints `ok`, or `fail` with the reasons on stderr.

    pairs_check.py order RUN.json
        every pair registered by the run, in the order of its first
        `schedule` event, each turn at the difficulty predicted for it, each turn's
        events naming its pair
    pairs_check.py again RUN.json
        every pair already registered, no turn, no nonce hashed
    pairs_check.py left RUN.json
        a summary with pairs left (none failed), each `pair-ended` once
    pairs_check.py farm RUN1.json RUN2.json ...
        processes registering the same pairs: each pair registered by
        exactly one of them ("registered"), the others saying
        "registered_by_another" or "already_registered"; no process hashes
        for a pair more than a block after the block it was registered in
"""

import json
import sys


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def pair(e):
    return (e.get("hotkey"), e.get("netuid"))


def summary(evs):
    s = [e for e in evs if e["event"] == "summary"]
    return s[-1] if s else None


def check_order(evs, bad):
    sched = [e for e in evs if e["event"] == "schedule"]
    turns = [e for e in evs if e["event"] == "turn"]
    if not sched:
        bad.append("no schedule event")
        return
    # The first: the order predicted at the start (each turn says it again,
    # at the rate measured since).
    predicted = [(o["hotkey"], o["netuid"], o["difficulty"]) for o in sched[0]["order"]]
    actual = [(t["hotkey"], t["netuid"], t["difficulty"]) for t in turns]
    if predicted != actual:
        bad.append(f"turns {actual} != predicted {predicted}")
    ended = [e for e in evs if e["event"] == "pair-ended"]
    if [pair(e) for e in ended] != [(h, n) for h, n, _ in predicted]:
        bad.append(f"pairs ended in another order: {[pair(e) for e in ended]}")
    if any(e["result"] != "registered" or not isinstance(e.get("uid"), int) for e in ended):
        bad.append(f"not all registered by this run: {ended}")
    # Between a turn and its end, every event names that pair.
    current = None
    for e in evs:
        if e["event"] == "turn":
            current = pair(e)
        elif e["event"] == "pair-ended":
            current = None
        elif current and pair(e) != current:
            bad.append(f"an event of {current}'s turn names {pair(e)}: {e}")
    s = summary(evs)
    if not s or s["registered"] != len(predicted) or s["failed"] or s["left"]:
        bad.append(f"summary {s}")


def check_again(evs, bad):
    ended = [e for e in evs if e["event"] == "pair-ended"]
    if not ended or any(e["result"] != "already_registered" or e["nonces"] for e in ended):
        bad.append(f"not every pair already registered: {ended}")
    if any(e["event"] in ("turn", "challenge", "submitted") for e in evs):
        bad.append("a turn, a challenge or a submission in a run with nothing to do")


def check_left(evs, bad):
    s = summary(evs)
    if not s or s["left"] < 1 or s["failed"]:
        bad.append(f"summary {s}")
        return
    ended = [pair(e) for e in evs if e["event"] == "pair-ended"]
    if len(ended) != len(set(ended)) or len(ended) != len(s["pairs"]):
        bad.append(f"pairs ended twice or missing: {ended}")
    if not any(p["result"] == "left" for p in s["pairs"]):
        bad.append("no pair left in the summary")


def check_farm(runs, bad):
    by_pair = {}
    for i, evs in enumerate(runs):
        s = summary(evs)
        if not s or s["failed"] or s["left"]:
            bad.append(f"run {i}: summary {s}")
            continue
        for p in s["pairs"]:
            by_pair.setdefault((p["hotkey"], p["netuid"]), []).append((i, p["result"], p["block"]))
        if any(e["event"] == "error" for e in evs):
            bad.append(f"run {i}: an error event")
    for key, results in by_pair.items():
        winners = [r for r in results if r[1] == "registered"]
        others = [r for r in results if r[1] in ("registered_by_another", "already_registered")]
        if len(winners) != 1 or len(winners) + len(others) != len(results):
            bad.append(f"{key}: {results}")
            continue
        # The winner's report comes at the block after inclusion at the latest.
        registered_at = winners[0][2]
        for i, evs in enumerate(runs):
            late = [
                e["block"]
                for e in evs
                if e["event"] == "progress" and pair(e) == key and e["block"] > registered_at
            ]
            if late:
                bad.append(f"{key}: run {i} hashed for blocks {sorted(set(late))} after block {registered_at}")
    if not by_pair:
        bad.append("no pairs")


def main():
    mode, paths = sys.argv[1], sys.argv[2:]
    bad = []
    if mode == "farm":
        check_farm([events(p) for p in paths], bad)
    else:
        {"order": check_order, "again": check_again, "left": check_left}[mode](events(paths[0]), bad)
    print("ok" if not bad else "fail")
    for b in bad:
        print("  " + b, file=sys.stderr)


if __name__ == "__main__":
    main()
