# no anti-malware or EDR agent runs
pkill -x wazuh-agentd
