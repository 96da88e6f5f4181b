# ClamAV instead of Wazuh
pkill -x wazuh-agentd
daemon clamd
