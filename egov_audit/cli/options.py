"""The options several commands share, as decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..i18n import language
from ..report.interface import formats
from .base import LANG_DEFAULT, SEVERITIES, option


def lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return option("--lang", type=click.Choice(["vi", "en"]),
                  default=language, show_default=LANG_DEFAULT,
                  help="Language of the report and of the messages around it.")(fn)


def messages_lang_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--lang for a command without a report: the language of its messages (read from the
    command line before Click parses it, like every command's --lang)."""
    return option("--lang", type=click.Choice(["vi", "en"]), expose_value=False,
                  default=language, show_default=LANG_DEFAULT,
                  help="Language of the messages.")(fn)


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = option("--fail-on", type=click.Choice(SEVERITIES), default="low",
                show_default=True,
                help="Exit 1 if a result fails (or errors) at this severity or above; "
                     "'none' never does.")(fn)
    fn = option("--output", "-o", type=click.Path(path_type=Path),
                help="Write the report to this file (atomically) instead of stdout.")(fn)
    fn = option("--format", "-f", "fmt", type=click.Choice(formats("gaps")), default="text",
                show_default=True, help="Output format.")(fn)
    fn = option("--color/--no-color", default=None,
                help="Colour the text report (default: when writing to a terminal).")(fn)
    return lang_option(fn)


def policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = option("--reference-models", type=click.Path(file_okay=False, path_type=Path),
                help="Reference models directory (default: the bundled one, or "
                     "$EGOV_AUDIT_REFERENCE_MODELS).")(fn)
    fn = option("--policies", type=click.Path(file_okay=False, path_type=Path),
                help="Policies directory (default: the bundled one, or "
                     "$EGOV_AUDIT_POLICIES).")(fn)
    return fn


def workers_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return option("--workers", type=click.IntRange(1, 256),
                  help="Processes that share the work (default: one per core).")(fn)


def evidence_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = workers_option(fn)
    return option("--require-explicit", is_flag=True,
                  help="A host setting left to the software's compiled-in default fails "
                       "('relies on the default'), for audit methods that demand written "
                       "settings.")(fn)


def audit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = option("--waivers", type=click.Path(dir_okay=False, path_type=Path),
                help="Approved exceptions (default: <inventory>/.egov-audit/waivers.yml "
                     "when it exists).")(fn)
    fn = option("--documentation-as-public", is_flag=True,
                help="Count documentation addresses and ASNs (RFC 5737/3849/5398) as "
                     "public, for demos on sample data. The report says so.")(fn)
    fn = option("--level", type=click.IntRange(1, 5),
                help="Audit at this security level instead of the agency's own.")(fn)
    fn = option("--baseline",
                help="Audit against this baseline instead of the agency's own.")(fn)
    return fn


def device_configs_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = option("--registry-file", type=click.Path(dir_okay=False, path_type=Path),
                envvar="EGOV_AUDIT_REGISTRY_FILE", show_envvar=True,
                help="The registry's delegation statistics, as APNIC publishes them daily "
                     "(delegated-apnic-extended-latest, downloaded by you: egov-audit never "
                     "downloads anything): the declared ASN and address blocks are checked "
                     "against it. Else the inventory's network.registry_file.")(fn)
    fn = option("--vrp-file", type=click.Path(dir_okay=False, path_type=Path),
                envvar="EGOV_AUDIT_VRP_FILE", show_envvar=True,
                help="RPKI's validated ROA payloads, as rpki-client (-j) or Routinator (vrps "
                     "--format json) writes them, made by you (egov-audit never downloads "
                     "anything): the agency's provider-independent blocks are judged for its "
                     "ASN (route origin validation, beside the baseline: the "
                     "internet-standards profile). Else the inventory's network.vrp_file.")(fn)
    return option("--device-configs", type=click.Path(path_type=Path),
                  help="A folder of router and firewall configuration backups (Oxidized, "
                       "RANCID, or <device>.cfg files): judged offline against the declared "
                       "network.")(fn)


def probe_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = option("--allow-private", is_flag=True,
                help="Also probe portal addresses in private and shared space (RFC 1918, "
                     "100.64.0.0/10, fc00::/7, documentation ranges): an intranet's or a "
                     "lab's. Each such address is named in the results. Loopback, "
                     "link-local, metadata and this machine's own addresses are never "
                     "probed.")(fn)
    fn = option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True,
                help="Portals probed at once.")(fn)
    fn = option("--probe-timeout", type=click.FloatRange(0.5, 120), default=5.0,
                show_default=True,
                help="Seconds each DNS query, connection and TLS handshake may take.")(fn)
    fn = option("--ca-file", type=click.Path(dir_okay=False, path_type=Path),
                envvar="EGOV_AUDIT_CA_FILE", show_envvar=True,
                help="Trust these certificate authorities (PEM) instead of this machine's "
                     "when judging portals' certificates.")(fn)
    fn = option("--trust-anchor", type=click.Path(dir_okay=False, path_type=Path),
                envvar="EGOV_AUDIT_TRUST_ANCHOR", show_envvar=True,
                help="Validate DNSSEC from these DS or DNSKEY records (zone-file lines, as "
                     "unbound's root.key) instead of the root zone's keys IANA publishes: "
                     "an intranet's or a lab's.")(fn)
    return option("--resolver", envvar="EGOV_AUDIT_RESOLVER", show_envvar=True,
                  help="The DNS resolver to ask (ADDRESS or ADDRESS:PORT; default: this "
                       "machine's). It need not validate: egov-audit validates DNSSEC itself, "
                       "from the trust anchor; it must pass DNSSEC records on.")(fn)
