# A worker node inside a network segment: a typical server that also runs `ansible-runner
# worker` for the hosts that name it (the lab binds this Python environment and the lab's folder
# at their own paths, so the hosts' key and known_hosts are where the inventory says).
. "$(dirname "$PROFILE")/common.sh"
customize() {
  typical_settings
  no_pending_updates
}
