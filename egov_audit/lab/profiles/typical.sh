# A typical provincial server: it works, and it has the usual gaps.
. "$(dirname "$PROFILE")/common.sh"
customize() {
  typical_settings
  no_pending_updates
}
