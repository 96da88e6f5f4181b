# A typical provincial server with a real server's package state: the machine's own package
# lists and apt's cache on (what a scan of a real Debian server costs; the benchmarks use it).
. "$(dirname "$PROFILE")/common.sh"
customize() {
  typical_settings
  real_package_state
}
