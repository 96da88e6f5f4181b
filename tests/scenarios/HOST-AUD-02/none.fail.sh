# no audit rule
rm -f /etc/audit/rules.d/*.rules /etc/audit/audit.rules
