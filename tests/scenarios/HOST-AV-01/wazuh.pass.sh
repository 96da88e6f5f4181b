# the Wazuh agent runs (the hardened profile)
true
