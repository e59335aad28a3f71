# shellcheck shell=bash
# need-tools.sh: sourced by scripts/make-assets.sh, scripts/make-fixtures.sh and scripts/compare.sh
# (not run).
#
# need_tools COMMAND:PACKAGE...: check that every COMMAND is on the PATH. When some are missing,
# install their Debian PACKAGEs with apt-get if running as root; otherwise name the packages and
# exit 1.
need_tools() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  install_packages "${missing[@]}"
}

# install_packages PACKAGE...: install the given Debian packages (none: do nothing) with apt-get
# if running as root; otherwise name them and exit 1.
install_packages() {
  if (($#)); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "installing: $*" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
      echo "missing tools (Debian packages): $*; install them and rerun" >&2
      exit 1
    fi
  fi
}
