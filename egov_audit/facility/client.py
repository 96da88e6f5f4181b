"""The SNMPv3 client: GET and WALK only, over pysnmp (pure Python: nothing secret on a command
line, where any local user could read it in the process list). Authentication and privacy are
required (authPriv): SNMP v1/v2c communities travel in clear text and are never used."""

from __future__ import annotations

import asyncio
from typing import Any

from .snmp import ENT_PHYSICAL_NAME, MAX_SENSORS, SENSOR_TABLE, UPS_OIDS, Credentials

AUTH_PROTOCOLS = ("SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512")
PRIV_PROTOCOLS = ("AES", "AES-192", "AES-256")


class SnmpError(Exception):
    """The device could not be read: timeout, refused credentials, a broken answer. The message
    is the reason a report shows (it never holds a credential)."""


def _protocols(credentials: Credentials) -> tuple[Any, Any]:
    # pysnmp: only when UPSes and sensors are read
    from pysnmp.hlapi.v3arch import asyncio as hl

    auth = {"SHA": hl.USM_AUTH_HMAC96_SHA, "SHA-224": hl.USM_AUTH_HMAC128_SHA224,
            "SHA-256": hl.USM_AUTH_HMAC192_SHA256, "SHA-384": hl.USM_AUTH_HMAC256_SHA384,
            "SHA-512": hl.USM_AUTH_HMAC384_SHA512}
    priv = {"AES": hl.USM_PRIV_CFB128_AES, "AES-192": hl.USM_PRIV_CFB192_AES,
            "AES-256": hl.USM_PRIV_CFB256_AES}
    # pysnmp's AES module swallows a failed import of the cryptography it expects and then
    # fails every request with "Ciphering services not available": say why, once
    from pysnmp.proto.secmod.rfc3826.priv import aes

    if aes.PysnmpCryptoError:
        raise SnmpError("pysnmp cannot encrypt (SNMPv3 privacy): its AES needs a cryptography "
                        "release it can import; reinstall egov-audit to get matching versions")
    if credentials.auth_protocol not in auth or credentials.priv_protocol not in priv:
        raise SnmpError(f"unsupported SNMPv3 protocols {credentials.auth_protocol}/"
                        f"{credentials.priv_protocol} (authentication {', '.join(auth)}; "
                        f"privacy {', '.join(priv)})")
    return auth[credentials.auth_protocol], priv[credentials.priv_protocol]


def _value(value: Any) -> Any:
    """A pysnmp value as plain Python: int, bytes, or None where the object does not exist."""
    # pysnmp: only when UPSes and sensors are read
    from pysnmp.proto import rfc1902, rfc1905

    if isinstance(value, (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)):
        return None
    if isinstance(value, rfc1902.OctetString):
        return bytes(value)
    if isinstance(value, (rfc1902.Integer32, rfc1902.Integer, rfc1902.Gauge32,
                          rfc1902.Counter32, rfc1902.Unsigned32, rfc1902.TimeTicks)):
        return int(value)
    return str(value)[:64]  # an OID, an address: not a type these MIBs use here


def _parse_errors(engine: Any) -> int:
    """How many received messages the engine could not decode (SNMPv2-MIB snmpInASNParseErrs:
    pysnmp drops them silently, so a device answering garbage otherwise looks silent)."""
    try:
        (counter,) = engine.get_mib_builder().import_symbols("__SNMPv2-MIB",
                                                             "snmpInASNParseErrs")
        return int(counter.syntax)
    except Exception:  # a pysnmp without this counter: fall back to the engine's own reason
        return 0


def _broken(context: dict[str, Any]) -> str:
    """What went wrong in an asyncio callback, in one short line (no traceback)."""
    exc = context.get("exception")
    if exc is not None:
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return str(context.get("message", "?"))[:160]


async def _read(host: str, port: int, credentials: Credentials, timeout: float,
                retries: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    # pysnmp: only when UPSes and sensors are read
    from pysnmp.hlapi.v3arch import asyncio as hl

    auth_protocol, priv_protocol = _protocols(credentials)
    # an answer that breaks pysnmp inside its datagram callback would be printed by asyncio as
    # a traceback on stderr (and the request would just time out): kept, and said as the reason
    broken: list[str] = []
    asyncio.get_running_loop().set_exception_handler(
        lambda _loop, context: broken.append(_broken(context)))
    engine = hl.SnmpEngine()
    try:
        user = hl.UsmUserData(credentials.user, authKey=credentials.auth_password,
                              privKey=credentials.priv_password, authProtocol=auth_protocol,
                              privProtocol=priv_protocol)
        target = await hl.UdpTransportTarget.create((host, port), timeout=timeout,
                                                    retries=retries)

        def failed(indication: Any, status: Any, index: Any) -> None:
            if indication and broken:
                raise SnmpError(f"an answer pysnmp could not process: {broken[0]}")
            if indication:
                garbled = _parse_errors(engine)
                if garbled:  # something answered, in no SNMP the engine could decode
                    # terse and technical like pysnmp's own reasons (data in either language)
                    raise SnmpError(f"non-SNMP answers: {garbled} undecodable messages "
                                    "(snmpInASNParseErrs)")
                raise SnmpError(str(indication)[:200])
            if status:
                raise SnmpError(f"the agent answered {status.prettyPrint()[:60]}")

        indication, status, index, binds = await hl.get_cmd(
            engine, user, target, hl.ContextData(),
            *(hl.ObjectType(hl.ObjectIdentity(oid)) for oid in UPS_OIDS.values()),
            lookupMib=False)
        failed(indication, status, index)
        scalars = {str(oid): _value(value) for oid, value in binds}

        async def walk(root: str, limit: int) -> dict[str, Any]:
            out: dict[str, Any] = {}
            async for indication, status, index, binds in hl.walk_cmd(
                    engine, user, target, hl.ContextData(),
                    hl.ObjectType(hl.ObjectIdentity(root)), lexicographicMode=False,
                    lookupMib=False):
                failed(indication, status, index)
                for oid, value in binds:
                    out[str(oid)] = _value(value)
                if len(out) > limit:
                    raise SnmpError(f"more than {limit} objects under {root}")
            return out

        table = await walk(SENSOR_TABLE, MAX_SENSORS * 5)
        names = await walk(ENT_PHYSICAL_NAME, MAX_SENSORS * 4) if table else {}
        return scalars, table, names
    finally:
        engine.close_dispatcher()


def read_device(host: str, credentials: Credentials, port: int = 161, timeout: float = 3.0,
                retries: int = 1, deadline: float = 60.0
                ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """UPS-MIB scalars, the sensor table and the sensors' names, as OID -> value. Raises
    SnmpError with the reason (timeout, wrong credentials, a broken answer)."""
    try:
        return asyncio.run(asyncio.wait_for(_read(host, port, credentials, timeout, retries),
                                            deadline))
    except SnmpError:
        raise
    except TimeoutError:
        raise SnmpError(f"no complete answer within {deadline:.0f} s") from None
    except Exception as exc:  # pysnmp's own errors on a garbled or hostile answer
        raise SnmpError(f"{type(exc).__name__}: {str(exc)[:160]}") from None
