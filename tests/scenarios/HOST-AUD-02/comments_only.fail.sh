# a rules file with comments only
printf "## rules go here\n# -w /etc/passwd -p wa\n" >/etc/audit/rules.d/egov.rules
