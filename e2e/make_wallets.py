"""Creates test wallets with the real btwallet (bittensor-wallet 4.1.1), in
the bittensor layout: DIR/<wallet>/coldkey ($NACL-encrypted with the password
in $E2E_COLDKEY_PASSWORD), coldkeypub.txt, hotkeys/<name> (plain JSON).

    python make_wallets.py DIR WALLET HOTKEY [HOTKEY ...]

Prints {"coldkey": ss58, "hotkeys": {name: ss58}} as JSON.
"""

import json
import os
import sys

from bittensor_wallet import Wallet


def main():
    root, name, *hotkeys = sys.argv[1:]
    password = os.environ["E2E_COLDKEY_PASSWORD"]
    first = Wallet(name=name, hotkey=hotkeys[0], path=root)
    first.create(
        coldkey_use_password=True,
        hotkey_use_password=False,
        overwrite=True,
        suppress=True,
        coldkey_password=password,
    )
    out = {"coldkey": first.coldkeypub.ss58_address, "hotkeys": {}}
    for hotkey in hotkeys:
        w = Wallet(name=name, hotkey=hotkey, path=root)
        if hotkey != hotkeys[0]:
            w.create_new_hotkey(use_password=False, overwrite=True, suppress=True)
        out["hotkeys"][hotkey] = w.hotkey.ss58_address
    print(json.dumps(out))


if __name__ == "__main__":
    main()
