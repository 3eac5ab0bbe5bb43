#!/usr/bin/env bash
# End-to-end for v1 (`pow_register`) against e2e/standin475.py: a MODEL of
# mainnet runtime 475 that serves its real metadata, finney's genesis hash
# and real encodings, checks every extrinsic's signature over the 13
# extensions' payload, and applies `check_pow_registration` as the runtime's
# source does (no runtime 475 can be executed here). The stand-in is first
# validated by the reference client, bittensor 11.3.0's own proof-of-work
# registration; then btpow registers against it. Run as `scripts/e2e v1`;
# it needs no chopsticks (it installs PoCL, OpenCL on the CPU, for a stop
# with the OpenCL engine). Serves only on 127.0.0.1 and stops the stand-in by
# its own pid on every exit path. Ends with its `N passed, M failed` line.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
vectors/setup
py="$repo/vectors/.venv/v1/bin/python"
cargo build --locked --quiet --profile test
bin="$repo/target/debug/btpow-bench"

tmp="$(mktemp -d)"
standin=""
cleanup() {
  [ -n "$standin" ] && { kill "$standin" 2>/dev/null || true; wait "$standin" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT

export E2E_COLDKEY_PASSWORD="btpow e2e v1 password"
wallets="$tmp/wallets"
# btwallet is in the legacy environment (the v1 one has bittensor 11's own keyfile code).
keys="$(cd e2e && "$repo/vectors/.venv/legacy/bin/python" make_wallets.py "$wallets" miner v1 v2 v3 v4 v5 sdk race sdkrace lost pc p1 p2 p3 p4 p5 f1 f2 w1 w2 w3 | tail -n 1)"
key() { "$py" -c 'import json, sys; d = json.loads(sys.argv[1]); print(d["coldkey"] if sys.argv[2] == "coldkey" else d["hotkeys"][sys.argv[2]])' "$keys" "$1"; }
coldkey="$(key coldkey)"
alice=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY

# One stand-in for every check: subnet 1 open to proof of work, a
# difficulty of a fraction of a second, 475's storage defaults otherwise
# (BurnHalfLife 360, BurnIncreaseMult about 1.26).
"$py" e2e/standin475.py --port 0 --log "$tmp/extrinsics.hex" --verdict-log "$tmp/verdicts.jsonl" \
  --account "$coldkey" --account "$alice" --subnet 1 --pow-allowed --difficulty 20000 \
  --min-difficulty 1 --max-difficulty 1000000000000000 --max-regs-per-block 4 > "$tmp/standin.out" 2>&1 &
standin=$!
for _ in $(seq 1 300); do grep -q 'listening on ws://' "$tmp/standin.out" && break; sleep 0.1; done
url="$(grep -o 'ws://127.0.0.1:[0-9]*' "$tmp/standin.out" | head -1)"
head -1 "$tmp/standin.out"
echo "e2e v1: the runtime-475 stand-in (pid $standin) at $url"

rpc() { "$py" e2e/standin_admin.py "$url" "$@"; }
storage() { rpc standin_getStorage "$1"; }
set_storage() { rpc standin_setStorage "$1" > /dev/null; }
head_number() { rpc standin_info '[]' | "$py" -c 'import json, sys; print(json.load(sys.stdin)["head"]["number"])'; }
uid() { storage "[\"SubtensorModule\", \"Uids\", [1, \"$1\"]]"; }

passed=0
failed=0
check() { if [ "$2" = ok ]; then passed=$((passed + 1)); echo "  ok    $1"; else failed=$((failed + 1)); echo "  FAIL  $1"; fi; }
# run EXPECTED_EXIT NEEDLE ARGS...: btpow-bench against the stand-in.
run() {
  local want="$1" needle="$2"; shift 2
  local code=0
  BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 120 "$bin" solve --endpoint "$url" --netuid "${NETUID:-1}" --yes \
    --wallet.path "$wallets" --wallet.name miner "$@" > "$tmp/out" 2> "$tmp/err" || code=$?
  if [ "$code" = "$want" ] && grep -qF -- "$needle" "$tmp/out" "$tmp/err"; then echo ok; else
    { echo "--- exit $code (wanted $want), no \"$needle\" in:"; cat "$tmp/out" "$tmp/err"; } >&2; echo fail; fi
}
# start OUT ARGS...: btpow-bench in the background, JSON events into OUT; sets $tool.
start() {
  local out="$1"; shift
  BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 120 "$bin" solve --endpoint "$url" --netuid 1 --yes \
    --wallet.path "$wallets" --wallet.name miner --format json "$@" > "$out" 2> "$out.err" &
  tool=$!
}
wait_for() { # FILE NEEDLE SECONDS
  local i=0
  while ! grep -qF -- "$2" "$1" 2>/dev/null; do i=$((i + 1)); [ "$i" -le $(($3 * 10)) ] || return 1; sleep 0.1; done
}
is_uid() { [[ "$1" =~ ^[0-9]+$ ]] && echo ok || echo fail; }

echo "e2e v1: the stand-in's own checks (extrinsics built by the SDK's codec, never by btpow)"
code=0
timeout 300 "$py" e2e/standin_selftest.py > "$tmp/selftest.out" 2>&1 || code=$?
check "all of the stand-in's own checks pass ($(tail -1 "$tmp/selftest.out"))" "$([ "$code" = 0 ] && echo ok || { cat "$tmp/selftest.out" >&2; echo fail; })"

echo "e2e v1: the reference client (bittensor 11.3.0's own PoW registration) against the stand-in"
code=0
BT_WALLET_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 300 "$py" e2e/standin_sdk_register.py --endpoint "$url" \
  --wallet-path "$wallets" --wallet miner --hotkey sdk --netuid 1 > "$tmp/sdk.out" 2>&1 || code=$?
check "the SDK's registration is accepted (exit 0)" "$([ "$code" = 0 ] && echo ok || { cat "$tmp/sdk.out" >&2; echo fail; })"
check "Uids(1, sdk hotkey) is a uid" "$(is_uid "$(uid "$(key sdk)")")"

echo "e2e v1: btpow registers a btwallet hotkey, the \$NACL coldkey signing"
check "exit 0, a registered event by us" "$(run 0 '"by":"us"' --wallet.hotkey v1 --format json)"
check "rule v1 and spec 475 detected" "$(grep -q '"rule":"v1"' "$tmp/out" && grep -q '"spec_version":475' "$tmp/out" && echo ok || echo fail)"
check "on the stand-in: Uids(1, v1) is a uid" "$(is_uid "$(uid "$(key v1)")")"
work_block="$(grep '"event":"submitted"' "$tmp/out" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.readline())["block"])')"
check "LastPowRegistrationBlock(v1) is the work block, $work_block" \
  "$([ "$(storage "[\"SubtensorModule\", \"LastPowRegistrationBlock\", [\"$(key v1)\"]]")" = "$work_block" ] && echo ok || echo fail)"
check "signed by the coldkey (the stand-in's decoded signer)" "$(tail -1 "$tmp/verdicts.jsonl" | grep -q "\"signer\": \"$coldkey\"" && echo ok || echo fail)"
check "no secret in the output" "$(grep -qiE 'secretPhrase|secretSeed|privateKey|e2e v1 password' "$tmp/out" "$tmp/err" && echo fail || echo ok)"
if [ -f e2e/standin_same_bytes.py ]; then
  check "its call and extension bytes are the SDK's for the same inputs" \
    "$("$py" e2e/standin_same_bytes.py --verdict-log "$tmp/verdicts.jsonl" --xt-log "$tmp/extrinsics.hex" \
         --endpoint "$url" --select pow_register > "$tmp/same.out" 2>&1 && echo ok || { cat "$tmp/same.out" >&2; echo fail; })"
  grep -E '^same_bytes: (call|extra|payload|signature|note)' "$tmp/same.out" | sed 's/^/        /' || true
fi

echo "e2e v1: the window (runtime 475: work at most 5 blocks old)"
rpc standin_newBlocks '[8]' > /dev/null
h="$(head_number)"
check "work 5 blocks old is accepted" "$(run 0 'registered on subnet 1' --wallet.hotkey v2 --work-block $((h - 4)))"
h="$(head_number)"
check "work 6 blocks old: our pre-check refuses it" "$(run 2 'at most 5 blocks old' --wallet.hotkey v3 --work-block $((h - 5)))"
check "forced: the pool refuses it (BadRequest), and btpow names why" \
  "$(run 2 'BadRequest' --wallet.hotkey v3 --work-block $((h - 5)) --no-precheck)"
check "  the cause read back from the chain: stale" "$(grep -q 'why the pool refused it, as the chain reads now: work block' "$tmp/out" && echo ok || echo fail)"
check "on the stand-in: v3 is not registered" "$([ "$(uid "$(key v3)")" = null ] && echo ok || echo fail)"

echo "e2e v1: work not after LastPowRegistrationBlock is never solved; the next block's is"
h="$(head_number)"
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"LastPowRegistrationBlock\", \"params\": [\"$(key v3)\"], \"value\": $h}]"
start "$tmp/reuse" --wallet.hotkey v3
if wait_for "$tmp/reuse" '"last_pow_registration_block"' 60; then rpc standin_newBlocks '[1]' > /dev/null; fi
code=0; wait "$tool" || code=$?
check "waits for block $((h + 1)) naming the last registration, solves only it, registers" \
  "$([ "$code" = 0 ] && grep -q "\"until_block\":$((h + 1))" "$tmp/reuse" && grep -q '"by":"us"' "$tmp/reuse" \
     && [ "$(grep -c '"event":"challenge"' "$tmp/reuse")" = 1 ] && ! grep -q "\"block\":$h,[^}]*\"event\":\"challenge\"" "$tmp/reuse" \
     && ! grep -q '"event":"stale"' "$tmp/reuse" && echo ok || { cat "$tmp/reuse" "$tmp/reuse.err" >&2; echo fail; })"
h="$(head_number)"
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"LastPowRegistrationBlock\", \"params\": [\"$(key pc)\"], \"value\": $((h + 3))}]"
check "LastPowRegistrationBlock 3 blocks ahead: exit 2 before any hashing, naming block $((h + 4))" \
  "$([ "$(run 2 "from block $((h + 4)) on" --wallet.hotkey pc --format json)" = ok ] && ! grep -qE '"event":"(challenge|progress)"' "$tmp/out" && echo ok || echo fail)"
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"LastPowRegistrationBlock\", \"params\": [\"$(key pc)\"], \"value\": null}]"

echo "e2e v1: what no proof of work passes is refused before any hashing; --no-precheck reaches the pool"
# precheck NAME CODE ARGS...: refused by NAME with exit 2 and no hashing; forced, submitted and
# refused by the pool with custom CODE, the chain's reading naming NAME again.
precheck() {
  local name="$1" code="$2"; shift 2
  check "$name: exit 2, no challenge or progress event" \
    "$([ "$(run 2 "$name" --wallet.hotkey pc --format json "$@")" = ok ] && ! grep -qE '"event":"(challenge|progress)"' "$tmp/out" && echo ok || echo fail)"
  check "  --no-precheck: submitted, the pool's Custom($code), $name named" \
    "$([ "$(run 2 "$name" --wallet.hotkey pc --format json --no-precheck "$@")" = ok ] && grep -q '"event":"submitted"' "$tmp/out" \
       && grep -q "Custom error: $code" "$tmp/out" && echo ok || { cat "$tmp/out" "$tmp/err" >&2; echo fail; })"
}
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"Owner\", \"params\": [\"$(key pc)\"], \"value\": \"$alice\"}]"
precheck NonAssociatedColdKey 25
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"Owner\", \"params\": [\"$(key pc)\"], \"value\": null}]"
uids="$(storage '["SubtensorModule", "MaxAllowedUids", [1]]')"
set_storage '[{"pallet": "SubtensorModule", "item": "MaxAllowedUids", "params": [1], "value": 0}]'
precheck NoNeuronIdAvailable 255
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"MaxAllowedUids\", \"params\": [1], \"value\": $uids}]"
owned="$(storage "[\"SubtensorModule\", \"OwnedHotkeys\", [\"$coldkey\"]]")"
full="$("$py" -c 'import json; print(json.dumps(["0x%064x" % (i + 1) for i in range(256)]))')"
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"OwnedHotkeys\", \"params\": [\"$coldkey\"], \"value\": $full}]"
precheck TooManyStakingHotkeys 255
set_storage "[{\"pallet\": \"SubtensorModule\", \"item\": \"OwnedHotkeys\", \"params\": [\"$coldkey\"], \"value\": $owned}]"
# Subnet 1's own account as the hotkey (its public key is all v1 needs).
echo '{"publicKey": "0x6d6f646c73756274656e73720100000000000000000000000000000000000000"}' > "$wallets/miner/hotkeys/sysacctpub.txt"
check "CannotUseSystemAccount: exit 2, no challenge or progress event" \
  "$([ "$(run 2 CannotUseSystemAccount --wallet.hotkey sysacct --format json)" = ok ] && ! grep -qE '"event":"(challenge|progress)"' "$tmp/out" && echo ok || echo fail)"
check "  --no-precheck: submitted, the pool's Custom(255), CannotUseSystemAccount named" \
  "$([ "$(run 2 CannotUseSystemAccount --wallet.hotkey sysacct --format json --no-precheck)" = ok ] && grep -q '"event":"submitted"' "$tmp/out" \
     && grep -q 'Custom error: 255' "$tmp/out" && echo ok || { cat "$tmp/out" "$tmp/err" >&2; echo fail; })"
# The root subnet, opened to proof of work here so that only the root check refuses it.
set_storage '[{"pallet": "SubtensorModule", "item": "NetworkPowRegistrationAllowed", "params": [0], "value": true}, {"pallet": "SubtensorModule", "item": "Difficulty", "params": [0], "value": 20000}, {"pallet": "SubtensorModule", "item": "MinDifficulty", "params": [0], "value": 1}, {"pallet": "SubtensorModule", "item": "MaxDifficulty", "params": [0], "value": 1000000000000000}]'
NETUID=0 precheck RegistrationNotPermittedOnRootSubnet 255
set_storage '[{"pallet": "SubtensorModule", "item": "NetworkPowRegistrationAllowed", "params": [0], "value": false}]'
check "on the stand-in: pc is not registered" "$([ "$(uid "$(key pc)")" = null ] && echo ok || echo fail)"

echo "e2e v1: registration switched off, and a subnet that does not exist"
set_storage '[{"pallet": "SubtensorModule", "item": "NetworkPowRegistrationAllowed", "params": [1], "value": false}]'
check "switched off: exit 2, said so" "$(run 2 'proof-of-work registration is disabled on subnet 1' --wallet.hotkey v4)"
set_storage '[{"pallet": "SubtensorModule", "item": "NetworkPowRegistrationAllowed", "params": [1], "value": true}]'
code=0
BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 60 "$bin" solve --endpoint "$url" --netuid 9 --yes \
  --wallet.path "$wallets" --wallet.name miner --wallet.hotkey v4 > "$tmp/out" 2> "$tmp/err" || code=$?
check "subnet 9: exit 2, does not exist" "$([ "$code" = 2 ] && grep -q 'subnet 9 does not exist' "$tmp/err" && echo ok || echo fail)"

echo "e2e v1: the block's registrations used up"
set_storage '[{"pallet": "SubtensorModule", "item": "RegistrationsThisBlock", "params": [1], "value": 4}]'
start "$tmp/full" --wallet.hotkey v4
if wait_for "$tmp/full" 'subnet full' 60; then rpc standin_newBlocks '[1]' > /dev/null; fi
code=0; wait "$tool" || code=$?
check "waits for the next block, then registers" "$([ "$code" = 0 ] && grep -q '"by":"us"' "$tmp/full" && echo ok || { cat "$tmp/full" "$tmp/full.err" >&2; echo fail; })"

echo "e2e v1: Ctrl-C mid-solve"
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 1000000000000000}]'
start "$tmp/int" --wallet.hotkey v5
code=0
if wait_for "$tmp/int" '"event":"challenge"' 60; then sleep 1; pkill -INT -P "$tool"; fi
t0=$SECONDS; wait "$tool" || code=$?
check "exit 1 within 3 s, stopped, nothing submitted" "$([ "$code" = 1 ] && [ $((SECONDS - t0)) -le 3 ] && grep -q '"event":"stopped"' "$tmp/int" && ! grep -q '"event":"submitted"' "$tmp/int" && echo ok || { cat "$tmp/int" "$tmp/int.err" >&2; echo fail; })"

echo "e2e v1: a stop signal at the password prompt, on a terminal (e2e/pty_run.py), with and without the OpenCL engine"
# PoCL (OpenCL on the CPU) compiles its kernels with LLVM, which installs
# handlers of its own for SIGINT, SIGTERM and SIGHUP: none of them may end
# the run in btpow's place, nor leave the terminal without echo.
scripts/install-pocl
pocl="$("$bin" engines | grep -m1 'Portable Computing Language' | awk '{print $1}')"
tty() { "$py" e2e/pty_run.py --timeout 120 "$@"; }
judge() {
  "$py" -c 'import json, sys; r = json.loads(sys.argv[1]); ok = eval(sys.argv[2]); print("ok" if ok else "fail"); ok or print(json.dumps(r, indent=1), file=sys.stderr)' "$1" "$2"
}
stopped='r["saw"] and r["exit"] == 1 and "stopped" in r["output"] and r["echo"] and r["seconds_after_action"] < 2'
asks=("$bin" solve --endpoint "$url" --netuid 1 --yes --wallet.path "$wallets" --wallet.name miner --wallet.hotkey v5)
for sig in INT TERM HUP; do
  rep="$(tty --wait-for 'password for' --then "signal:$sig" -- "${asks[@]}" --opencl --devices "$pocl")"
  check "--opencl (PoCL $pocl), SIG$sig at the prompt: exit 1 within 2 s, stopped, echo back on" "$(judge "$rep" "$stopped")"
done
rep="$(tty --wait-for 'password for' --then signal:TERM -- "${asks[@]}")"
check "the CPU engine, SIGTERM at the prompt: the same" "$(judge "$rep" "$stopped")"

echo "e2e v1: watch mode predicts the block at which the decaying difficulty reaches --max-difficulty"
# A half-life of 8 blocks: 60,000 falls below 40,000 in a few blocks.
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 60000}, {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 8}]'
start "$tmp/wait" --wallet.hotkey v5 --wait --max-difficulty 40000
predicted=""
if wait_for "$tmp/wait" '"reached_at_block"' 60; then
  predicted="$("$py" -c 'import json, sys; print(next(json.loads(l)["reached_at_block"] for l in open(sys.argv[1]) if "reached_at_block" in l))' "$tmp/wait")"
  # One block at a time, slower than btpow polls the head, until it starts
  # solving (then the block its registration makes is the next).
  for _ in $(seq 1 40); do
    grep -q '"event":"challenge"' "$tmp/wait" && break
    rpc standin_newBlocks '[1]' > /dev/null; sleep 0.8
  done
fi
code=0; wait "$tool" || code=$?
difficulty_at() { storage "[\"SubtensorModule\", \"Difficulty\", [1], $(rpc chain_getBlockHash "[$1]")]"; }
check "registers once the difficulty is low enough (exit 0)" "$([ "$code" = 0 ] && echo ok || { cat "$tmp/wait" "$tmp/wait.err" >&2; echo fail; })"
check "predicted block $predicted: the stand-in's difficulty there is at most 40000, and above it one block before" \
  "$([ -n "$predicted" ] && [ "$(difficulty_at "$predicted")" -le 40000 ] && [ "$(difficulty_at $((predicted - 1)))" -gt 40000 ] && echo ok || echo fail)"
check "solved for the predicted block" "$(grep -q "\"block\":$predicted,.*\"event\":\"challenge\"\|\"event\":\"challenge\".*\"block\":$predicted" "$tmp/wait" && echo ok || { grep challenge "$tmp/wait" >&2; echo fail; })"
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 20000}, {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 360}]'

echo "e2e v1: subnets predicts the decayed difficulty as the stand-in decays it"
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 5000000000}, {"pallet": "SubtensorModule", "item": "MinDifficulty", "params": [1], "value": 1000}, {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 360}]'
code=0
timeout 60 "$bin" subnets --endpoint "$url" --netuid 1 --rate 1000000 --format json > "$tmp/subnets" 2> "$tmp/subnets.err" || code=$?
field() { "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d[sys.argv[2]] if sys.argv[2] == "block" else d["subnets"][0][sys.argv[2]])' "$tmp/subnets" "$1"; }
if [ "$code" = 0 ]; then
  b="$(field block)"; d10="$(field difficulty_in_10_min)"; d60="$(field difficulty_in_1_hour)"
  check "subnet 1 at block $b: difficulty 5000000000, open, as written" \
    "$([ "$(field difficulty)" = 5000000000 ] && [ "$(field pow_open)" = True ] && echo ok || { cat "$tmp/subnets" >&2; echo fail; })"
  rpc standin_newBlocks '[50]' > /dev/null
  check "in 10 minutes (50 blocks, nobody registering): predicted $d10, the stand-in's $(difficulty_at $((b + 50)))" \
    "$([ "$(difficulty_at $((b + 50)))" = "$d10" ] && echo ok || echo fail)"
  rpc standin_newBlocks '[250]' > /dev/null
  check "in an hour (300 blocks): predicted $d60, the stand-in's $(difficulty_at $((b + 300)))" \
    "$([ "$(difficulty_at $((b + 300)))" = "$d60" ] && echo ok || echo fail)"
else
  check "subnets against the stand-in exits 0" "$(cat "$tmp/subnets.err" >&2; echo fail)"
fi
# BurnHalfLife 0: no factor, but each block clamps; the engine measuring the rate is BTPOW_ENGINE's.
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 500}, {"pallet": "SubtensorModule", "item": "MinDifficulty", "params": [1], "value": 1000}, {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 0}]'
code=0
BTPOW_ENGINE=portable timeout 60 "$bin" subnets --endpoint "$url" --netuid 1 --format json > "$tmp/subnets" 2> "$tmp/subnets.err" || code=$?
if [ "$code" = 0 ]; then
  b="$(field block)"
  rpc standin_newBlocks '[50]' > /dev/null
  check "half-life 0: now, in 10 min and in 1 hour 1000 (500 clamped to the floor); the stand-in's 50 blocks on: $(difficulty_at $((b + 50)))" \
    "$([ "$(field difficulty)" = 1000 ] && [ "$(field difficulty_in_10_min)" = 1000 ] && [ "$(field difficulty_in_1_hour)" = 1000 ] && [ "$(difficulty_at $((b + 50)))" = 1000 ] && echo ok || { cat "$tmp/subnets" >&2; echo fail; })"
  check "the rate measured with BTPOW_ENGINE's engine (portable)" \
    "$("$py" -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["measured_by"]["engine"] != "portable")' "$tmp/subnets" && echo ok || { cat "$tmp/subnets" >&2; echo fail; })"
else
  check "subnets with half-life 0 exits 0" "$(cat "$tmp/subnets.err" >&2; echo fail)"
fi
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 20000}, {"pallet": "SubtensorModule", "item": "MinDifficulty", "params": [1], "value": 1}, {"pallet": "SubtensorModule", "item": "BurnHalfLife", "params": [1], "value": 360}]'
# SIGTERM while it reads the chain or measures the rate (a second): stopped.
timeout 60 "$bin" subnets --endpoint "$url" > "$tmp/subnets" 2>&1 &
tool=$!
sleep 0.8; pkill -TERM -P "$tool"
code=0; t0=$SECONDS; wait "$tool" || code=$?
check "SIGTERM mid-measurement: exit 1 within 2 s, stopped, no table" \
  "$([ "$code" = 1 ] && [ $((SECONDS - t0)) -le 2 ] && grep -q '^stopped' "$tmp/subnets" && ! grep -q '^netuid' "$tmp/subnets" && echo ok || { cat "$tmp/subnets" >&2; echo fail; })"

echo "e2e v1: a submission whose status is lost, though it lands (text output)"
rpc standin_loseNextStatus '[]' > /dev/null
check "exit 0: the status lost, then \"by this run\", found in the block" \
  "$([ "$(run 0 'by this run' --wallet.hotkey lost)" = ok ] && grep -q 'stopped reporting' "$tmp/out" && ! grep -qi error "$tmp/out" "$tmp/err" \
     && [ "$(grep -c 'submitting' "$tmp/out")" = 1 ] && echo ok || { cat "$tmp/out" "$tmp/err" >&2; echo fail; })"
check "on the stand-in: Uids(1, lost) is a uid" "$(is_uid "$(uid "$(key lost)")")"

echo "e2e v1: two btpow processes race for one hotkey"
# Both solving first (at a difficulty neither meets), then one easy block for both.
set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 1000000000000000}]'
start "$tmp/race1" --wallet.hotkey race
tool1=$tool
start "$tmp/race2" --wallet.hotkey race
if wait_for "$tmp/race1" '"event":"challenge"' 60 && wait_for "$tmp/race2" '"event":"challenge"' 60; then
  set_storage '[{"pallet": "SubtensorModule", "item": "Difficulty", "params": [1], "value": 20000}]'
  rpc standin_newBlocks '[1]' > /dev/null
fi
code1=0; code2=0
wait "$tool1" || code1=$?
wait "$tool" || code2=$?
check "both exit 0, neither reports an error" "$([ "$code1" = 0 ] && [ "$code2" = 0 ] && ! grep -q '"event":"error"' "$tmp/race1" "$tmp/race2" && echo ok || { cat "$tmp"/race* >&2; echo fail; })"
check "on the stand-in: one uid for the hotkey" "$(is_uid "$(uid "$(key race)")")"
registrants="$(grep -ho '"by":"[a-z]*"' "$tmp/race1" "$tmp/race2" | sort | tr '\n' ' ')"
check "one says by us, the other by another (registrants: $registrants)" \
  "$([ "$registrants" = '"by":"another" "by":"us" ' ] && echo ok || echo fail)"

echo "e2e v1: btpow and the SDK race for one hotkey"
start "$tmp/sdkrace" --wallet.hotkey sdkrace
BT_WALLET_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 300 "$py" e2e/standin_sdk_register.py --endpoint "$url" \
  --wallet-path "$wallets" --wallet miner --hotkey sdkrace --netuid 1 > "$tmp/sdkrace.sdk" 2>&1 || true
code=0; wait "$tool" || code=$?
check "btpow exits 0 without an error, whoever won, and knows who" "$([ "$code" = 0 ] && ! grep -q '"event":"error"' "$tmp/sdkrace" && grep -qE '"by":"(us|another|before)"' "$tmp/sdkrace" && echo ok || { cat "$tmp/sdkrace" "$tmp/sdkrace.err" "$tmp/sdkrace.sdk" >&2; echo fail; })"
check "on the stand-in: one uid for the hotkey" "$(is_uid "$(uid "$(key sdkrace)")")"
echo "        btpow: $(grep -ho '"by":"[a-z]*"' "$tmp/sdkrace" | tr '\n' ' ')sdk: $(tail -1 "$tmp/sdkrace.sdk" | cut -c1-60)"

echo "e2e v1: three hotkeys on two subnets in one run (wallet hotkeys p1,p2,p3 on subnets 1 and 7)"
# Subnet 7 beside 1, cheaper at first: the order starts there, and each
# registration raises its subnet 1.26x (BurnIncreaseMult), so the subnets
# take turns; every block decays both (BurnHalfLife 360).
sn() { echo "{\"pallet\": \"SubtensorModule\", \"item\": \"$1\", \"params\": [$2], \"value\": $3}"; }
set_storage "[$(sn NetworksAdded 7 true), $(sn NetworkPowRegistrationAllowed 7 true), $(sn Difficulty 7 9000), $(sn MinDifficulty 7 1), $(sn MaxDifficulty 7 1000000000000000), $(sn MaxRegistrationsPerBlock 7 4), $(sn Difficulty 1 20000)]"
check "exit 0, a summary" "$(NETUID=1,7 run 0 '"event":"summary"' --wallet.hotkey p1,p2,p3 --format json)"
cp "$tmp/out" "$tmp/pairs.json"
check "every pair registered by the run, in the order predicted at its start, each at the difficulty predicted for it" \
  "$("$py" e2e/pairs_check.py order "$tmp/pairs.json")"
onchain=ok
for h in p1 p2 p3; do for n in 1 7; do
  [[ "$(storage "[\"SubtensorModule\", \"Uids\", [$n, \"$(key $h)\"]]")" =~ ^[0-9]+$ ]] || onchain=fail
done; done
check "on the stand-in: Uids(1 and 7, p1, p2 and p3) are uids" "$onchain"
check "run again: exit 0, every pair already registered" "$(NETUID=1,7 run 0 'already_registered' --wallet.hotkey p1,p2,p3 --format json)"
check "  nothing solved, nothing submitted" "$("$py" e2e/pairs_check.py again "$tmp/out")"
check "  as text: a line per pair and the summary table" \
  "$(NETUID=1,7 run 0 '6 of 6 pairs registered, 0 failed, 0 left' --wallet.hotkey p1,p2,p3)"
check "  the table names each pair" "$([ "$(grep -c "already registered, uid" "$tmp/out")" = 12 ] && echo ok || { cat "$tmp/out" >&2; echo fail; })"

echo "e2e v1: --max-time mid-run: a summary of the pairs left, exit 1"
set_storage "[$(sn Difficulty 7 1000000000000000)]"
check "exit 1, the pairs on subnet 7 left" "$(NETUID=1,7 run 1 '"result":"left"' --wallet.hotkey p4,p5 --format json --max-time 8)"
check "  the summary: no failure, pairs left, each pair once" "$("$py" e2e/pairs_check.py left "$tmp/out")"
check "  the pairs on subnet 1 registered meanwhile" \
  "$([ "$("$py" -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.startswith("{") and json.loads(l).get("result") == "registered" and json.loads(l)["event"] == "pair-ended"))' "$tmp/out")" = 2 ] && echo ok || { cat "$tmp/out" >&2; echo fail; })"

echo "e2e v1: Ctrl-C mid-run: a summary of the pairs left, exit 1"
BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 120 "$bin" solve --endpoint "$url" --netuid 1,7 --yes \
  --wallet.path "$wallets" --wallet.name miner --wallet.hotkey p4,p5 > "$tmp/pairs-int" 2>&1 &
tool=$!
code=0
if wait_for "$tmp/pairs-int" '[1/2] hotkey' 60; then sleep 1; kill -INT "$tool"; fi
t0=$SECONDS
wait "$tool" || code=$?
check "exit 1 within 2 s, stopped, the table with both subnet-7 pairs left" \
  "$([ "$code" = 1 ] && [ $((SECONDS - t0)) -le 2 ] && grep -q '^stopped' "$tmp/pairs-int" && [ "$(grep -c 'left: no uid seen by this run' "$tmp/pairs-int")" -ge 2 ] && grep -q '2 of 4 pairs registered, 0 failed, 2 left' "$tmp/pairs-int" && echo ok || { cat "$tmp/pairs-int" >&2; echo fail; })"

echo "e2e v1: a farm: three processes register the same two hotkeys (f1, f2) on subnet 1"
# All three solving first (at a difficulty none meets), then one easy block.
set_storage "[$(sn Difficulty 1 1000000000000000)]"
farm=()
for i in 1 2 3; do
  BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 120 "$bin" solve --endpoint "$url" --netuid 1 --yes \
    --wallet.path "$wallets" --wallet.name miner --wallet.hotkey f1,f2 --format json > "$tmp/farm$i" 2> "$tmp/farm$i.err" &
  farm+=($!)
done
if wait_for "$tmp/farm1" '"event":"progress"' 60 && wait_for "$tmp/farm2" '"event":"progress"' 60 && wait_for "$tmp/farm3" '"event":"progress"' 60; then
  set_storage "[$(sn Difficulty 1 20000)]"
  rpc standin_newBlocks '[1]' > /dev/null
fi
codes=""
for p in "${farm[@]}"; do c=0; wait "$p" || c=$?; codes="$codes$c"; done
check "every process exits 0 (exits: $codes)" "$([ "$codes" = 000 ] && echo ok || { cat "$tmp"/farm* >&2; echo fail; })"
check "each pair registered by exactly one process, the others told so, none hashing a block after its registration" \
  "$("$py" e2e/pairs_check.py farm "$tmp/farm1" "$tmp/farm2" "$tmp/farm3")"
for i in 1 2 3; do
  echo "        process $i: $("$py" -c 'import json,sys; print(" ".join(e["result"] for e in map(json.loads, open(sys.argv[1])) if e["event"] == "pair-ended"))' "$tmp/farm$i")"
done
check "on the stand-in: Uids(1, f1) and Uids(1, f2) are uids" \
  "$([ "$(is_uid "$(uid "$(key f1)")")" = ok ] && [ "$(is_uid "$(uid "$(key f2)")")" = ok ] && echo ok || echo fail)"

echo "e2e v1: --wait --max-difficulty with several pairs: whichever subnet comes down first goes first (hotkey w1)"
set_storage "[$(sn Difficulty 1 3000000), $(sn Difficulty 7 2000000)]"
BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" timeout 120 "$bin" solve --endpoint "$url" --netuid 7,1 --yes \
  --wallet.path "$wallets" --wallet.name miner --wallet.hotkey w1 --wait --max-difficulty 1000000 --format json \
  > "$tmp/wait" 2> "$tmp/wait.err" &
tool=$!
if wait_for "$tmp/wait" '"event":"waiting"' 60; then
  # Subnet 1 comes down first, though subnet 7 was predicted to.
  set_storage "[$(sn Difficulty 1 20000)]"
  rpc standin_newBlocks '[1]' > /dev/null
  if wait_for "$tmp/wait" '"netuid":1,"nonces"' 60; then
    set_storage "[$(sn Difficulty 7 9000)]"
    rpc standin_newBlocks '[1]' > /dev/null
  fi
fi
code=0; wait "$tool" || code=$?
check "exit 0, subnet 1's pair registered first, then subnet 7's; waiting named subnet 7 (ready first by the prediction)" \
  "$([ "$code" = 0 ] && "$py" -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
turns = [e["netuid"] for e in evs if e["event"] == "turn"]
ended = [(e["netuid"], e["result"]) for e in evs if e["event"] == "pair-ended"]
first_wait = next(e for e in evs if e["event"] == "waiting")
sys.exit(0 if turns == [1, 7] and ended == [(1, "registered"), (7, "registered")] and first_wait["netuid"] == 7 else 1)
' "$tmp/wait" && echo ok || { cat "$tmp/wait" "$tmp/wait.err" >&2; echo fail; })"

echo "e2e v1: several pairs on a terminal (e2e/pty_run.py): one confirmation for the run, nothing drawn over it"
set_storage "[$(sn Difficulty 1 20000), $(sn Difficulty 7 9000)]"
rep="$(BTPOW_COLDKEY_PASSWORD="$E2E_COLDKEY_PASSWORD" tty --wait-for '[y/N]' --quiet 1.5 --then send:y -- "$bin" solve \
  --endpoint "$url" --netuid 1,7 --wallet.path "$wallets" --wallet.name miner --wallet.hotkey w2,w3)"
check "nothing drawn over the confirmation for 1.5 s" \
  "$(judge "$rep" 'r["saw"] and "\r" not in r["after"] and "\x1b" not in r["after"]')"
check "answered yes once: exit 0, every pair registered, asked once" \
  "$(judge "$rep" 'r["exit"] == 0 and "4 of 4 pairs registered, 0 failed, 0 left" in r["output"] and r["output"].count("[y/N]") == 1')"

echo "e2e v1: every extrinsic the stand-in was sent is kept, as hex"
check "$(wc -l < "$tmp/extrinsics.hex") extrinsics in the log, each 0x-hex" "$([ -s "$tmp/extrinsics.hex" ] && ! grep -qv '^0x[0-9a-f]*$' "$tmp/extrinsics.hex" && echo ok || echo fail)"
mkdir -p target/e2e-v1 && cp "$tmp/extrinsics.hex" "$tmp/verdicts.jsonl" target/e2e-v1/
echo "        kept in target/e2e-v1/extrinsics.hex and verdicts.jsonl"

echo "e2e v1: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
