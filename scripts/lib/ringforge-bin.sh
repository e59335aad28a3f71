# shellcheck shell=bash
# ringforge-bin.sh: sourced by the scripts that run the command line on real files
# (check-loudness.sh, browser-test.sh, test-php.sh).
#
# ringforge_bin: sets BIN to $RINGFORGE_BIN when given, else builds the binary in the dev profile
# (a no-op after `cargo test`, which built it: dependencies optimised, ringforge at opt-level 1)
# and uses target/debug/ringforge. The bytes are the same in every profile; only speed differs.
ringforge_bin() {
  if [[ -n ${RINGFORGE_BIN:-} ]]; then
    BIN=$RINGFORGE_BIN
  else
    cargo build --locked --quiet --bin ringforge
    BIN=$(cargo metadata --format-version 1 --no-deps |
      sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/ringforge
  fi
}
