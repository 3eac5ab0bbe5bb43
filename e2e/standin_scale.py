"""SCALE encoding, storage hashers and a metadata-driven type codec for the
runtime-475 stand-in (e2e/standin475.py).

Everything here is written from the SCALE / Substrate specifications, not
taken from btpow or from the SDK, so that the stand-in's byte layouts are a
second implementation the SDK's codec (bittensor_core, used for decoding and
cross-checks in standin475.py) and btpow's (subxt) can be compared against:

- compact integers, blake2b-128/256, xxHash64 (pure Python) and the Twox
  hashers, the storage-map hashers by their metadata names;
- `TypeCodec`: encode and decode any type of the metadata's portable registry
  (composite, variant, sequence, array, tuple, primitive, compact) from plain
  Python values. Conventions: a composite with one unnamed field is its field
  (AccountId32 and H256 are 32 `bytes`, NetUid an `int`); other composites are
  dicts by field name (or lists); a variant is `"Name"` (no fields) or
  `{"Name": value}` (one field: the value; several: a list or dict); `[u8; N]`
  and `Vec<u8>` are `bytes`; tuples are lists.
"""

from __future__ import annotations

import hashlib

# --- compact and primitive integers -------------------------------------------


def compact(n: int) -> bytes:
    if n < 0:
        raise ValueError("compact of a negative number")
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    body = n.to_bytes((n.bit_length() + 7) // 8, "little")
    if len(body) > 67:
        raise ValueError("compact too large")
    return bytes([((len(body) - 4) << 2) | 3]) + body


class Reader:
    """A cursor over bytes; every read raises ValueError past the end."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data = bytes(data)
        self.pos = pos

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"need {n} bytes at offset {self.pos}, have {len(self.data) - self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def compact(self) -> int:
        """A compact integer, refusing non-canonical encodings as
        parity-scale-codec does."""
        first = self.data[self.pos] if self.pos < len(self.data) else None
        if first is None:
            raise ValueError("compact past the end")
        mode = first & 3
        if mode == 0:
            return self.byte() >> 2
        if mode == 1:
            value = self.uint(2) >> 2
            if value < 1 << 6:
                raise ValueError("non-canonical compact")
            return value
        if mode == 2:
            value = self.uint(4) >> 2
            if value < 1 << 14:
                raise ValueError("non-canonical compact")
            return value
        length = (self.byte() >> 2) + 4
        value = self.uint(length)
        if value < 1 << 30 or (length > 4 and value < 1 << ((length - 1) * 8)):
            raise ValueError("non-canonical compact")
        return value

    def rest(self) -> bytes:
        return self.take(len(self.data) - self.pos)

    def done(self) -> bool:
        return self.pos == len(self.data)


# --- hashers -------------------------------------------------------------------


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def blake2_128(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


_M64 = (1 << 64) - 1
_P1 = 11400714785074694791
_P2 = 14029467366897019727
_P3 = 1609587929392839161
_P4 = 9650029242287828579
_P5 = 2870177450012600261


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc: int, lane: int) -> int:
    acc = (acc + lane * _P2) & _M64
    return (_rotl(acc, 31) * _P1) & _M64


def _merge(acc: int, val: int) -> int:
    acc ^= _round(0, val)
    return (acc * _P1 + _P4) & _M64


def xxh64(data: bytes, seed: int) -> int:
    """xxHash64 (Yann Collet's specification), pure Python."""
    n = len(data)
    i = 0
    if n >= 32:
        v1 = (seed + _P1 + _P2) & _M64
        v2 = (seed + _P2) & _M64
        v3 = seed & _M64
        v4 = (seed - _P1) & _M64
        while i + 32 <= n:
            v1 = _round(v1, int.from_bytes(data[i : i + 8], "little"))
            v2 = _round(v2, int.from_bytes(data[i + 8 : i + 16], "little"))
            v3 = _round(v3, int.from_bytes(data[i + 16 : i + 24], "little"))
            v4 = _round(v4, int.from_bytes(data[i + 24 : i + 32], "little"))
            i += 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M64
        for v in (v1, v2, v3, v4):
            h = _merge(h, v)
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while i + 8 <= n:
        h ^= _round(0, int.from_bytes(data[i : i + 8], "little"))
        h = (_rotl(h, 27) * _P1 + _P4) & _M64
        i += 8
    if i + 4 <= n:
        h ^= (int.from_bytes(data[i : i + 4], "little") * _P1) & _M64
        h = (_rotl(h, 23) * _P2 + _P3) & _M64
        i += 4
    while i < n:
        h ^= (data[i] * _P5) & _M64
        h = (_rotl(h, 11) * _P1) & _M64
        i += 1
    h ^= h >> 33
    h = (h * _P2) & _M64
    h ^= h >> 29
    h = (h * _P3) & _M64
    h ^= h >> 32
    return h


def twox(data: bytes, nbytes: int) -> bytes:
    return b"".join(xxh64(data, seed).to_bytes(8, "little") for seed in range(nbytes // 8))


def twox128(data: bytes) -> bytes:
    return twox(data, 16)


def map_hasher(name: str, encoded: bytes) -> bytes:
    """A storage-map key hasher, by its metadata name."""
    if name == "Blake2_128":
        return blake2_128(encoded)
    if name == "Blake2_256":
        return blake2_256(encoded)
    if name == "Blake2_128Concat":
        return blake2_128(encoded) + encoded
    if name == "Twox128":
        return twox(encoded, 16)
    if name == "Twox256":
        return twox(encoded, 32)
    if name == "Twox64Concat":
        return twox(encoded, 8) + encoded
    if name == "Identity":
        return encoded
    raise ValueError(f"unknown hasher {name}")


# --- metadata-driven codec ------------------------------------------------------

_PRIMITIVE_SIZES = {
    "u8": 1, "u16": 2, "u32": 4, "u64": 8, "u128": 16, "u256": 32,
    "i8": 1, "i16": 2, "i32": 4, "i64": 8, "i128": 16, "i256": 32,
}


class TypeCodec:
    """Encode/decode values of the portable registry's types (by type id)."""

    def __init__(self, registry_types: list[dict]):
        self.types = {entry["id"]: entry["type"] for entry in registry_types}

    # lookups
    def definition(self, type_id: int) -> dict:
        return self.types[type_id]["def"]

    def variant_index(self, type_id: int, name: str) -> tuple[int, list]:
        for v in self.definition(type_id)["variant"]["variants"]:
            if v["name"] == name:
                return v["index"], v.get("fields") or []
        raise KeyError(f"type {type_id} has no variant {name}")

    def _is_u8(self, type_id: int) -> bool:
        d = self.definition(type_id)
        return d.get("primitive") == "u8"

    # encoding
    def encode(self, type_id: int, value) -> bytes:
        d = self.definition(type_id)
        kind, body = next(iter(d.items()))
        if kind == "primitive":
            if body == "bool":
                if not isinstance(value, bool):
                    raise TypeError(f"bool expected, got {value!r}")
                return b"\x01" if value else b"\x00"
            if body == "str":
                raw = value.encode()
                return compact(len(raw)) + raw
            if body == "char":
                return ord(value).to_bytes(4, "little")
            size = _PRIMITIVE_SIZES[body]
            return int(value).to_bytes(size, "little", signed=body.startswith("i"))
        if kind == "compact":
            return compact(int(value))
        if kind == "array":
            if self._is_u8(body["type"]):
                raw = bytes(value)
                if len(raw) != body["len"]:
                    raise ValueError(f"[u8; {body['len']}] expected, got {len(raw)} bytes")
                return raw
            items = list(value)
            if len(items) != body["len"]:
                raise ValueError("array length mismatch")
            return b"".join(self.encode(body["type"], item) for item in items)
        if kind == "sequence":
            if self._is_u8(body["type"]):
                raw = bytes(value)
                return compact(len(raw)) + raw
            items = list(value)
            return compact(len(items)) + b"".join(self.encode(body["type"], i) for i in items)
        if kind == "tuple":
            items = list(value) if body else []
            if len(items) != len(body):
                raise ValueError("tuple length mismatch")
            return b"".join(self.encode(t, v) for t, v in zip(body, items))
        if kind == "composite":
            return self._encode_fields(body["fields"], value)
        if kind == "variant":
            if isinstance(value, str):
                name, inner = value, None
            else:
                ((name, inner),) = value.items()
            index, fields = self.variant_index(type_id, name)
            return bytes([index]) + self._encode_fields(fields, inner)
        raise ValueError(f"cannot encode type kind {kind}")

    def _encode_fields(self, fields: list, value) -> bytes:
        if not fields:
            return b""
        if len(fields) == 1 and not fields[0].get("name"):
            return self.encode(fields[0]["type"], value)
        if isinstance(value, dict):
            return b"".join(self.encode(f["type"], value[f["name"]]) for f in fields)
        items = list(value)
        if len(items) != len(fields):
            raise ValueError("field count mismatch")
        return b"".join(self.encode(f["type"], v) for f, v in zip(fields, items))

    # decoding
    def decode(self, type_id: int, data: bytes):
        reader = Reader(data)
        value = self.read(type_id, reader)
        if not reader.done():
            raise ValueError(f"{len(data) - reader.pos} trailing bytes decoding type {type_id}")
        return value

    def read(self, type_id: int, r: Reader):
        d = self.definition(type_id)
        kind, body = next(iter(d.items()))
        if kind == "primitive":
            if body == "bool":
                b = r.byte()
                if b > 1:
                    raise ValueError("bad bool")
                return b == 1
            if body == "str":
                return r.take(r.compact()).decode()
            if body == "char":
                return chr(r.uint(4))
            size = _PRIMITIVE_SIZES[body]
            return int.from_bytes(r.take(size), "little", signed=body.startswith("i"))
        if kind == "compact":
            return r.compact()
        if kind == "array":
            if self._is_u8(body["type"]):
                return r.take(body["len"])
            return [self.read(body["type"], r) for _ in range(body["len"])]
        if kind == "sequence":
            n = r.compact()
            if self._is_u8(body["type"]):
                return r.take(n)
            return [self.read(body["type"], r) for _ in range(n)]
        if kind == "tuple":
            return [self.read(t, r) for t in body]
        if kind == "composite":
            return self._read_fields(body["fields"], r)
        if kind == "variant":
            index = r.byte()
            for v in body["variants"]:
                if v["index"] == index:
                    fields = v.get("fields") or []
                    if not fields:
                        return v["name"]
                    return {v["name"]: self._read_fields(fields, r)}
            raise ValueError(f"type {type_id}: no variant with index {index}")
        raise ValueError(f"cannot decode type kind {kind}")

    def _read_fields(self, fields: list, r: Reader):
        if not fields:
            return None
        if len(fields) == 1 and not fields[0].get("name"):
            return self.read(fields[0]["type"], r)
        if all(f.get("name") for f in fields):
            return {f["name"]: self.read(f["type"], r) for f in fields}
        return [self.read(f["type"], r) for f in fields]
