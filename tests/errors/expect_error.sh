#!/usr/bin/env bash
# expect_error.sh REGEX COMMAND...: passes when COMMAND exits with a non-zero status below 128
# (an error, not a signal: no crash, no abort, no sanitizer trap) and its output matches REGEX
# (grep -E). Prints the command's output either way.
regex=$1
shift
output=$("$@" 2>&1)
rc=$?
printf '%s\n' "$output"
echo "exit status: $rc"
if [ "$rc" -eq 0 ]; then echo "FAIL: expected a non-zero exit"; exit 1; fi
if [ "$rc" -ge 128 ]; then echo "FAIL: killed by a signal (crash)"; exit 1; fi
if ! printf '%s\n' "$output" | grep -Eq -- "$regex"; then echo "FAIL: output does not match /$regex/"; exit 1; fi
if printf '%s\n' "$output" | grep -q "Sanitizer"; then echo "FAIL: sanitizer report"; exit 1; fi
echo "ok: failed cleanly with the expected message"
