"""Signed result bundles (Ed25519): an agency signs its bundle; an inspector verifies it against the
public keys registered for that agency.

Version 1: the signature covers the canonical form of the whole bundle (every result, the scores,
the policy digest, the tool version, the evidence digests, the waivers) and the signature's own
metadata (agency, key id, time): any change to any byte of meaning breaks it.
Version 2: the signature record, the bundle's last line, covers the SHA-256 of every byte before
it (computed while the records stream past, never a second pass) and its own metadata: any
change to any byte breaks it. A gzip copy of a signed bundle is still valid (the digest is of
the records, not of their compression).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .bundle.files import Opened
from .bundle.v2 import V2Stream, record
from .errors import EgovAuditError, Message, UsageError
from .gates.filein import read_bytes
from .gates.fileout import write_output
from .gates.names import check_agency_code
from .times import instant

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ALGORITHM = "ed25519"


class TrustError(EgovAuditError):
    """A bundle is unsigned, tampered with, signed by a key not registered for its agency, or
    otherwise not to be trusted."""


def canonical(data: Mapping[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8. The same bytes for the same meaning."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _message(bundle: Mapping[str, Any], signature: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in bundle.items() if k != "signature"}
    meta = {k: v for k, v in signature.items() if k != "value"}
    return canonical(body) + b"\n" + canonical(meta)


def key_id(public: Ed25519PublicKey) -> str:
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]


MAX_KEY_FILE = 64 * 1024


def keygen(directory: Path, agency: str) -> tuple[Path, Path]:
    """A new key pair: <agency>.key (private, 0600) and <agency>.pub (to register). Never
    replaces an existing key, and the agency code must be a plain file name."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )


    check_agency_code(agency)
    private_path, public_path = directory / f"{agency}.key", directory / f"{agency}.pub"
    for path in (private_path, public_path):
        if os.path.lexists(path):
            raise UsageError(Message("exists: refusing to replace a key (move it away first)"),
                             file=str(path))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(Message("cannot create: {value}", value=exc.strerror or exc),
                         file=str(directory)) from None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    write_output(private_path, pem, secret=True, exclusive=True, error_cls=UsageError)
    write_output(public_path, key.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo), exclusive=True, error_cls=UsageError)
    return private_path, public_path


def _read_key_file(path: Path) -> bytes:
    return read_bytes(path, str(path), UsageError, MAX_KEY_FILE)


def load_private(path: Path) -> Ed25519PrivateKey:
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(_read_key_file(path), password=None)
    except (ValueError, TypeError) as exc:
        raise UsageError(Message("not an Ed25519 private key: {exc}", exc=exc),
                         file=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(Message("not an Ed25519 private key"), file=str(path))
    return key


def load_public(path: Path) -> list[Ed25519PublicKey]:
    """Every public key in a PEM file (an agency may have several registered)."""
    try:
        text = _read_key_file(path).decode("ascii")
    except UnicodeDecodeError:
        raise UsageError(Message("cannot read a public key: not ASCII PEM text"),
                         file=str(path)) from None
    try:
        return [public for public, _ in public_keys(text)]
    except UsageError as exc:
        raise UsageError(exc.message, file=str(path)) from None


def public_keys(text: str) -> list[tuple[Ed25519PublicKey, str]]:
    """Every Ed25519 public key of a PEM text, each with its own PEM block."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    keys: list[tuple[Ed25519PublicKey, str]] = []
    for block in text.split("-----END PUBLIC KEY-----")[:-1]:
        pem = (block + "-----END PUBLIC KEY-----\n").strip() + "\n"
        try:
            key = load_pem_public_key(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise UsageError(Message("not a public key: {exc}", exc=exc)) from None
        if not isinstance(key, Ed25519PublicKey):
            raise UsageError(Message("not an Ed25519 public key"))
        keys.append((key, pem))
    if not keys:
        raise UsageError(Message("no public key in the file"))
    return keys


@dataclass(frozen=True)
class KeyRegistry:
    """The public keys registered per agency: a directory of <agency code>.pub files, or the
    national service's registry in its store. `revoked`: key id -> the instant from which
    that key signs nothing (a bundle it signed at or after then is refused; one signed
    before still verifies)."""

    keys: Mapping[str, list[Ed25519PublicKey]]
    revoked: Mapping[str, datetime] = field(default_factory=dict)

    @classmethod
    def from_dir(cls, directory: Path) -> KeyRegistry:
        """Every <agency code>.pub of a folder; a file whose name is not an agency code is
        refused (it could never match a bundle, and is likely a mistake)."""
        if not directory.is_dir():
            raise UsageError(Message("no such key registry directory"), file=str(directory))
        keys = {}
        for path in sorted(directory.glob("*.pub")):
            check_agency_code(path.stem, f"key registry file {path.name}: agency code")
            keys[path.stem] = load_public(path)
        return cls(keys)

    @classmethod
    def single(cls, agency: str, path: Path) -> KeyRegistry:
        """One key file registered for one agency: `verify --pubkey` binds the key to the agency
        it was registered for (its file name, or --agency), never to whatever a bundle claims."""
        return cls({check_agency_code(agency): load_public(path)})


def sign(bundle: dict[str, Any], private: Ed25519PrivateKey) -> dict[str, Any]:
    agency = bundle.get("agency", {}).get("code")
    if not agency:
        raise UsageError(Message("not a result bundle of one agency (no agency code)"))
    signature = {"algorithm": ALGORITHM, "agency": agency,
                 "key_id": key_id(private.public_key()), "signed_at": _now()}
    body = {k: v for k, v in bundle.items() if k != "signature"}
    value = private.sign(_message(body, signature))
    return {**body, "signature": {**signature,
                                  "value": base64.b64encode(value).decode("ascii")}}


@dataclass(frozen=True)
class Verified:
    key_id: str
    digest: str  # identity of the signed bundle: re-submitting it is a no-op


def verify(bundle: Mapping[str, Any], registry: KeyRegistry) -> Verified:
    """Who signed the bundle; TrustError when it must not be trusted."""
    signature = bundle.get("signature")
    if not isinstance(signature, dict):
        raise TrustError(Message("the bundle is not signed"))
    if signature.get("algorithm") != ALGORITHM:
        raise TrustError(Message("unsupported signature algorithm {signature!r}",
                                 signature=signature.get('algorithm')))
    agency = bundle.get("agency", {}).get("code") if isinstance(bundle.get("agency"),
                                                                 dict) else None
    if signature.get("agency") != agency:
        raise TrustError(Message("the signature names agency {signature!r}, the bundle {agency!r}",
                                 signature=signature.get('agency'), agency=agency))
    registered = registry.keys.get(str(agency), [])
    if not registered:
        raise TrustError(Message("no key is registered for agency {agency!r}", agency=agency))
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
    except ValueError:
        raise TrustError(Message("the signature value is not base64")) from None
    message = _message(bundle, signature)
    return _verified(registry, registered, signature, value, message, agency)



# what a version 2 signature signs, besides its metadata: no other message can be taken for it
_V2_CONTEXT = b"egov-audit/result-bundle@2 signature\n"
_SIGNATURE_LINE = b'{"signature":'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def sign_v2(lines: Iterable[bytes], display: str, private: Ed25519PrivateKey, out: BinaryIO,
            extra: Iterable[bytes] = ()) -> dict[str, Any]:
    """Copy a version 2 bundle to `out` record by record (each checked by the bundle gate),
    then `extra` records (the packed inputs), then its signature over the digest of what was
    written. An earlier signature is dropped: this one replaces it."""
    stream = V2Stream(display, UsageError)

    def passing() -> Iterator[bytes]:
        for line in chain(lines, extra):
            if not line.startswith(_SIGNATURE_LINE):
                out.write(line)
                yield line

    for _ in stream.rows(passing()):
        pass
    meta = {"algorithm": ALGORITHM, "agency": stream.header["agency"]["code"],
            "digest": stream.digest(), "key_id": key_id(private.public_key()),
            "signed_at": _now()}
    value = base64.b64encode(private.sign(_V2_CONTEXT + canonical(meta))).decode("ascii")
    signature = {**meta, "value": value}
    out.write(record({"signature": signature}))
    return signature


def verify_v2(stream: V2Stream, registry: KeyRegistry) -> Verified:
    """Who signed a version 2 bundle read to its end (`stream`); TrustError when it must not
    be trusted."""
    signature = stream.signature
    if signature is None:
        raise TrustError(Message("the bundle is not signed"))
    agency = stream.header["agency"]["code"]
    if signature["agency"] != agency:
        raise TrustError(Message("the signature names agency {signature!r}, the bundle {agency!r}",
                                 signature=signature["agency"], agency=agency))
    if signature["digest"] != stream.signed_digest:
        raise TrustError(Message("the signature does not match the bundle: it was changed "
                                 "after signing"))
    registered = registry.keys.get(str(agency), [])
    if not registered:
        raise TrustError(Message("no key is registered for agency {agency!r}", agency=agency))
    try:
        value = base64.b64decode(signature["value"], validate=True)
    except ValueError:
        raise TrustError(Message("the signature value is not base64")) from None
    message = _V2_CONTEXT + canonical({k: v for k, v in signature.items() if k != "value"})
    return _verified(registry, registered, signature, value, message, agency)


def _verified(registry: KeyRegistry, registered: Sequence[Ed25519PublicKey],
              signature: Mapping[str, Any], value: bytes, message: bytes,
              agency: Any) -> Verified:
    """`value` checked against `message` with the agency's registered key the signature names
    (either version's signature: they differ in what `message` is), and that key not revoked
    at the time the signature says it was made."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.exceptions import InvalidSignature

    signed_with = signature.get("key_id")
    for public in registered:
        if key_id(public) != signed_with:
            continue
        try:
            public.verify(value, message)
        except InvalidSignature:
            raise TrustError(Message("the signature does not match the bundle: it was changed "
                                     "after signing")) from None
        _not_revoked(registry, str(signed_with), signature.get("signed_at"))
        return Verified(key_id(public), "sha256:" + hashlib.sha256(message + value).hexdigest())
    raise TrustError(Message("signed with key {signature}, which is not registered for agency "
                             "{agency!r}", signature=signed_with, agency=agency))


def _not_revoked(registry: KeyRegistry, signed_with: str, signed_at: Any) -> None:
    """A revoked key's signature made at or after its revocation is refused. The time is the
    signer's own claim (signed, so not changed since): a stolen key could claim an earlier one,
    which the store's replay rule bounds (a bundle older than the agency's latest is stale)."""
    revoked = registry.revoked.get(signed_with)
    if revoked is None:
        return
    try:
        made = instant(str(signed_at))
    except ValueError:
        made = None
    if made is None or made >= revoked:
        raise TrustError(Message("signed with key {key} on {signed_at}, which was revoked on "
                                 "{revoked}", key=signed_with, signed_at=str(signed_at)[:40],
                                 revoked=revoked.isoformat()))


def verify_opened(opened: Opened, registry: KeyRegistry) -> Verified:
    """Who signed a bundle read by `open_bundle`, of either version."""
    if opened.stream is not None:
        return verify_v2(opened.stream, registry)
    assert opened.data is not None, "a version 1 bundle keeps its document"
    return verify(opened.data, registry)
