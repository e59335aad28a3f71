#!/usr/bin/env bash
# test-php.sh: the PHP upload handler (examples/php/upload.php), served by PHP's built-in web
# server and sent real multipart uploads with curl: a good file (its .sln must match the golden
# MD5 and appear atomically in the tones folder), a display name holding HTML (escaped in the
# page), a file name holding shell syntax (never run), a file that is not audio (a clear error,
# nothing written), an unusable id; and no temporary folder is left behind.
#
# Installs php-cli and curl with apt-get when missing. Uses RINGFORGE_BIN, or the dev-profile
# binary that `cargo test` built (scripts/lib/ringforge-bin.sh).
#
# Usage: scripts/test-php.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools php:php-cli curl:curl

# shellcheck source=scripts/lib/ringforge-bin.sh
source scripts/lib/ringforge-bin.sh
ringforge_bin
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [[ -z $SERVER_PID ]] || kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/tones" "$WORK/tmp"

PORT=$((20000 + RANDOM % 20000))
# The server runs in $WORK: a command smuggled into a file name would leave its mark there.
(
  cd "$WORK"
  RINGFORGE_BIN=$BIN RINGFORGE_TONES_DIR=$WORK/tones TMPDIR=$WORK/tmp \
    RINGFORGE_URL_PREFIX=http://pbx.example.com/digium_phones/ \
    exec php -d upload_tmp_dir="$WORK/tmp" -d upload_max_filesize=60M -d post_max_size=60M \
    -S "127.0.0.1:$PORT" -t "$ROOT/examples/php" >"$WORK/server.log" 2>&1
) &
SERVER_PID=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/upload.php" && break
  sleep 0.1
done

passed=0
failed=0
check() { # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $name"
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}
# post FILE [FIELD=VALUE...]: the page in $WORK/page, the HTTP status printed.
post() {
  local file=$1
  shift
  local fields=() f
  for f in "$@"; do fields+=(--form-string "$f"); done
  # Quoted, so that curl takes `;` and `,` in the name as part of it.
  curl -s -o "$WORK/page" -w "%{http_code}" -F "audio=@\"$file\"" "${fields[@]}" \
    "http://127.0.0.1:$PORT/upload.php"
}
golden() { grep "  $1\$" tests/golden/MD5SUMS | cut -c1-32; }

# A good upload, with a display name that is HTML.
cp assets/office/front-desk-chime.mp3 "$WORK/Front Desk.mp3"
status=$(post "$WORK/Front Desk.mp3" id=front-desk 'display=<b>Front</b> & "Desk"')
# The handler normalises loudness: the golden set has that case.
want=$(golden 'assets/office/front-desk-chime.mp3 normalize=loudness')
check "good upload: HTTP 200" test "$status" = 200
check "good upload: the tone is published" test -s "$WORK/tones/front-desk.sln"
check "good upload: the golden bytes" test "$(md5sum <"$WORK/tones/front-desk.sln" | cut -c1-32)" = "$want"
check "good upload: the page shows their md5" grep -q "<code id=\"md5\">$want</code>" "$WORK/page"
check "good upload: the ringtones.xml entry, escaped" \
  grep -q '&lt;tone .*id=&quot;front-desk&quot;.*url=&quot;http://pbx.example.com/digium_phones/front-desk.sln&quot;' "$WORK/page"
check "good upload: HTML in the display name is shown as text" \
  grep -q '&lt;b&gt;Front&lt;/b&gt; &amp; &quot;Desk&quot;' "$WORK/page"
check "good upload: no raw markup from the form" bash -c "! grep -q '<b>Front' '$WORK/page'"
check "no partial files in the tones folder" test "$(ls -A "$WORK/tones")" = front-desk.sln

cp assets/double-ring.wav "$WORK/ring.wav"
# Shell syntax in the file name is never run.
mkdir "$WORK/upload"
evil="$WORK/upload/x; touch pwned; \$(touch pwned2).wav"
cp assets/double-ring.wav "$evil"
status=$(post "$evil")
check "shell syntax in a file name: converted" test "$status" = 200
check "shell syntax in a file name: nothing ran" test ! -e "$WORK/pwned" -a ! -e "$WORK/pwned2"
check "shell syntax in a file name: a safe id" bash -c "ls '$WORK/tones' | grep -qx 'x-touch-.*-pwned2.sln'"

# Not audio: a clear error, nothing written.
printf 'this is not audio\n%.0s' $(seq 40) >"$WORK/notes.mp3"
before=$(ls "$WORK/tones" | wc -l)
status=$(post "$WORK/notes.mp3" id=notes)
check "not audio: HTTP 422" test "$status" = 422
check "not audio: says what is wrong" grep -q 'not a supported audio file' "$WORK/page"
check "not audio: nothing written" test "$(ls "$WORK/tones" | wc -l)" = "$before"

# An id with nothing usable, and a file type the handler does not take.
status=$(post "$WORK/ring.wav" 'id=<<>>')
check "unusable id: HTTP 400" test "$status" = 400
cp "$WORK/ring.wav" "$WORK/ring.php"
status=$(post "$WORK/ring.php")
check "a .php upload: HTTP 415" test "$status" = 415

# The README shows the handler's call of the binary: the same lines (indentation aside).
readme_block=$(awk '/^## Use from PHP/{f=1} f&&/^```php/{g=1;next} g&&/^```/{exit} g' README.md)
check "the README's PHP example is the handler's code" php -r '
  $strip = fn($t) => preg_replace("/^[ \t]+/m", "", $t);
  exit($argv[2] !== "" && str_contains($strip(file_get_contents($argv[1])), $strip($argv[2])) ? 0 : 1);
' examples/php/upload.php "$readme_block"
check "no temporary folder left behind" test -z "$(ls -A "$WORK/tmp")"
check "the server logged no PHP error" bash -c "! grep -qi 'php \(warning\|fatal\|notice\)' '$WORK/server.log'"

echo "$passed passed, $failed failed"
((failed == 0))
