"""The signature ``mcpb sign`` appends to a bundle, read without a network and without a trust store.

The format (modelcontextprotocol/mcpb ``src/node/sign.ts`` at 27083dc; CLI.md since mcpb PR #186):
the zip, then ``MCPB_SIG_V1``, the length of a DER PKCS#7 SignedData (4 bytes, little-endian), the
SignedData, then ``MCPB_SIG_END``. The SignedData is detached: it signs every byte before
``MCPB_SIG_V1`` (SHA-256, in authenticated attributes), so a bundle changed after signing shows as a
digest that no longer matches. Hosts ask the OS trust store whether the certificate is trusted;
mcp-verify reports the certificate's facts and whether the signature holds, not trust.

Since mcpb PR #204 (and in hand-made fixes of mcpb#278) the zip's end record is rewritten to count
the block as its comment; the signed bytes then differ from the file in that two-byte field only,
so the digest is taken both ways.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from ._types import Signature

if TYPE_CHECKING:
    from pathlib import Path

HEADER = b"MCPB_SIG_V1"
FOOTER = b"MCPB_SIG_END"
LARGEST_BLOCK = 1 << 20
"""A signature block larger than this is not read (``mcpb sign`` writes a few KiB)."""
_LENGTH = 4
_CHUNK = 1 << 20
_COMMENT_LENGTH_AT = 20
"""Offset of the comment length in the zip's end record."""

_SIGNED_DATA = "1.2.840.113549.1.7.2"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_TIME = "1.2.840.113549.1.9.5"
_RSA_PSS = "1.2.840.113549.1.1.10"
_DIGESTS = {
    "2.16.840.1.101.3.4.2.1": ("sha256", hashes.SHA256),
    "2.16.840.1.101.3.4.2.2": ("sha384", hashes.SHA384),
    "2.16.840.1.101.3.4.2.3": ("sha512", hashes.SHA512),
    "1.3.14.3.2.26": ("sha1", hashes.SHA1),
}


@dataclass(frozen=True)
class Block:
    """Where a bundle's signature block is: the signed bytes end at ``start``."""

    start: int
    der: bytes
    problem: str | None = None


def find_block(tail: bytes, size: int) -> Block | None:
    """The signature block at the end of a file of ``size`` bytes whose last bytes are ``tail``
    (None: the file does not end with ``MCPB_SIG_END``, so it is unsigned)."""
    if not tail.endswith(FOOTER):
        return None
    header = tail.rfind(HEADER, 0, len(tail) - len(FOOTER))
    if header < 0:
        return Block(size, b"", f"it ends with {FOOTER.decode()} but has no {HEADER.decode()} within its last bytes")
    start = size - len(tail) + header
    body = tail[header + len(HEADER) : len(tail) - len(FOOTER)]
    declared = int.from_bytes(body[:_LENGTH], "little") if len(body) >= _LENGTH else -1
    if declared != len(body) - _LENGTH:
        return Block(start, b"", f"its length field says {declared} bytes of PKCS#7, the block holds {len(body) - 4}")
    return Block(start, body[_LENGTH:])


def read_signature(block: Block, source: Path, end_record: int, *, declared: bool) -> Signature:
    """What the block says: the signer's certificate, and whether the signature holds for the bytes
    of ``source`` before it (``end_record``: offset of the zip's end record, for the digest taken
    with its comment length as it was before signing)."""
    if block.problem:
        return Signature(problem=f"the signature block cannot be read: {block.problem}", declared=declared)
    try:
        signer = _signer(block.der)
        certificate = signer.certificate
        facts = _certificate_facts(certificate, declared=declared, signed_at=signer.signed_at)
    except (ValueError, IndexError) as error:  # cryptography reads a certificate's fields lazily
        return Signature(problem=f"the signature block cannot be read: {error}", declared=declared)
    if signer.digest_algorithm not in _DIGESTS:
        return replace(facts, problem=f"its digest algorithm {signer.digest_algorithm} is none hosts use")
    name, algorithm = _DIGESTS[signer.digest_algorithm]
    as_is, before = _content_digests(source, block.start, end_record, name)
    if signer.digest is None:
        verifies = _verify(certificate, signer, Prehashed(algorithm()), as_is)
        problem = None if verifies is not False else "the signature does not match the bundle's bytes"
        return replace(facts, verifies=verifies, problem=problem)
    matches = signer.digest in {as_is, before}
    verifies = _verify(certificate, signer, algorithm(), signer.attributes)
    problem = (
        "the bundle was changed after it was signed: its bytes no longer have the digest the signature holds"
        if not matches
        else "the signature was not made by the key of the certificate it carries"
        if verifies is False
        else None
    )
    return replace(facts, digest_matches=matches, verifies=verifies, problem=problem)


def _certificate_facts(certificate: x509.Certificate, *, declared: bool, signed_at: str | None) -> Signature:
    now = datetime.datetime.now(datetime.timezone.utc)
    return Signature(
        declared=declared,
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        valid_from=certificate.not_valid_before_utc.isoformat(),
        valid_to=certificate.not_valid_after_utc.isoformat(),
        valid_now=certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc,
        self_signed=certificate.subject == certificate.issuer,
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        signed_at=signed_at,
    )


def _content_digests(source: Path, end: int, end_record: int, name: str) -> tuple[bytes, bytes]:
    """The digest of the bytes before the block, as they are and with the end record's comment length
    zeroed (as they were before ``mcpb sign`` declared the block), in one pass."""
    digest = hashlib.new(name)
    field = end_record + _COMMENT_LENGTH_AT
    with source.open("rb") as file:
        done = 0
        while done < min(field, end):
            chunk = file.read(min(_CHUNK, min(field, end) - done))
            if not chunk:
                break
            digest.update(chunk)
            done += len(chunk)
        rest = file.read(max(0, end - done))  # the end record and its comment: at most 64 KiB
    zeroed = digest.copy()
    digest.update(rest)
    zeroed.update(b"\0\0" + rest[2:] if 0 <= field < end else rest)
    return digest.digest(), zeroed.digest()


def _verify(
    certificate: x509.Certificate,
    signer: _Signer,
    algorithm: hashes.HashAlgorithm | Prehashed,
    data: bytes,
) -> bool | None:
    """Whether the certificate's key made the signature (None: a key or padding not checked here)."""
    try:
        key = certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey) and signer.signature_algorithm != _RSA_PSS:
            key.verify(signer.signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signer.signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey) and not isinstance(algorithm, Prehashed):
            key.verify(signer.signature, data)
        else:
            return None
    except InvalidSignature:
        return False
    except (UnsupportedAlgorithm, ValueError, TypeError):
        return None
    return True


# PKCS#7 (RFC 5652) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signer:
    certificate: x509.Certificate
    digest_algorithm: str
    signature_algorithm: str
    signature: bytes
    attributes: bytes
    """The signed attributes as they were signed (a SET OF), or b"" without them."""
    digest: bytes | None
    signed_at: str | None


def _signer(der: bytes) -> _Signer:
    """The first signer of a DER SignedData, with its certificate."""
    content_info = _children(der, *_one(der, 0, len(der), 0x30))
    if len(content_info) < 2 or _oid(der, content_info[0]) != _SIGNED_DATA:
        raise ValueError("it is not a PKCS#7 SignedData")
    signed_data = _children(der, *_inside(der, content_info[1], 0xA0, 0x30))
    certificates = [
        x509.load_der_x509_certificate(der[item.at : item.end])
        for part in signed_data
        if part.tag == 0xA0
        for item in _children(der, part.start, part.end)
    ]
    signer_infos = signed_data[-1]  # after the digest algorithms, the content, the certificates and CRLs
    infos = _children(der, signer_infos.start, signer_infos.end) if signer_infos.tag == 0x31 else []
    if not infos or not certificates:
        raise ValueError("it names no signer or carries no certificate")
    fields = _children(der, infos[0].start, infos[0].end)
    if len(fields) < 5:
        raise ValueError("its SignerInfo is incomplete")
    serial = _children(der, fields[1].start, fields[1].end)
    number = int.from_bytes(der[serial[-1].start : serial[-1].end], "big") if fields[1].tag == 0x30 and serial else None
    certificate = next((cert for cert in certificates if cert.serial_number == number), certificates[0])
    attributes = next((part for part in fields if part.tag == 0xA0), None)
    digest, signed_at = _attributes(der, attributes) if attributes else (None, None)
    rest = [part for part in fields[2:] if part.tag != 0xA0]
    return _Signer(
        certificate,
        _oid(der, _children(der, rest[0].start, rest[0].end)[0]),
        _oid(der, _children(der, rest[1].start, rest[1].end)[0]),
        der[rest[2].start : rest[2].end],
        b"\x31" + der[attributes.at + 1 : attributes.end] if attributes else b"",
        digest,
        signed_at,
    )


def _attributes(der: bytes, attributes: _Tlv) -> tuple[bytes | None, str | None]:
    digest = signed_at = None
    for attribute in _children(der, attributes.start, attributes.end):
        kind, values = _children(der, attribute.start, attribute.end)[:2]
        value = _children(der, values.start, values.end)[0]
        if _oid(der, kind) == _MESSAGE_DIGEST:
            digest = der[value.start : value.end]
        elif _oid(der, kind) == _SIGNING_TIME:
            signed_at = _time(der[value.start : value.end].decode("ascii"), generalized=value.tag == 0x18)
    return digest, signed_at


def _time(text: str, *, generalized: bool) -> str:
    moment = datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ" if generalized else "%y%m%d%H%M%SZ")
    return moment.replace(tzinfo=datetime.timezone.utc).isoformat()


@dataclass(frozen=True)
class _Tlv:
    tag: int
    at: int
    """Where its tag is."""
    start: int
    """Where its content starts."""
    end: int


def _tlv(der: bytes, at: int, limit: int) -> _Tlv:
    if at + 2 > limit or der[at] & 0x1F == 0x1F:
        raise ValueError("its DER is truncated or uses a long tag")
    length, start = der[at + 1], at + 2
    if length & 0x80:
        size = length & 0x7F
        if not 0 < size <= _LENGTH or start + size > limit:
            raise ValueError("its DER has a length that cannot be")
        length, start = int.from_bytes(der[start : start + size], "big"), start + size
    if start + length > limit:
        raise ValueError("its DER is truncated")
    return _Tlv(der[at], at, start, start + length)


def _children(der: bytes, start: int, end: int) -> list[_Tlv]:
    items = []
    while start < end:
        item = _tlv(der, start, end)
        items.append(item)
        start = item.end
    return items


def _one(der: bytes, start: int, end: int, tag: int) -> tuple[int, int]:
    item = _tlv(der, start, end)
    if item.tag != tag:
        raise ValueError(f"its DER has tag {item.tag:#x} where {tag:#x} belongs")
    return item.start, item.end


def _inside(der: bytes, outer: _Tlv, tag: int, inner: int) -> tuple[int, int]:
    if outer.tag != tag:
        raise ValueError(f"its DER has tag {outer.tag:#x} where {tag:#x} belongs")
    return _one(der, outer.start, outer.end, inner)


def _oid(der: bytes, item: _Tlv) -> str:
    if item.tag != 0x06 or item.start == item.end:
        raise ValueError("its DER has no object identifier where one belongs")
    body = der[item.start : item.end]
    parts, value = [], 0
    for byte in body:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            parts.append(value)
            value = 0
    first = min(parts[0] // 40, 2)
    return ".".join(map(str, [first, parts[0] - 40 * first, *parts[1:]]))
