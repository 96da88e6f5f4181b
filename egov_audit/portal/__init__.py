"""Public portals seen from outside (egov-audit probe): DNS and DNSSEC, IPv4 and IPv6
reachability, TLS and certificates, HTTP security headers. No credential, no host access."""
