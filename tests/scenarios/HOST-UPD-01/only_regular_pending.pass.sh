# a regular update waits, no security update
offer_updates "$CODENAME-updates" tzdata
