# shellcheck shell=bash
# need-tools.sh: sourced by scripts/make-assets.sh and scripts/make-fixtures.sh (not run).
#
# need_tools COMMAND:PACKAGE...: check that every COMMAND is on the PATH. When some are missing,
# install their Debian PACKAGEs with apt-get if running as root; otherwise name the packages and
# exit 1.
need_tools() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "installing: ${missing[*]}" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "missing tools (Debian packages): ${missing[*]}; install them and rerun" >&2
      exit 1
    fi
  fi
}
