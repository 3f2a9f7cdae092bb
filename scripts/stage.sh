#!/usr/bin/env bash
# stage.sh NAME CMD...: runs CMD, then prints how long the stage took.
set -uo pipefail
name=$1; shift
start=$(date +%s%N)
echo "==> ${name}"
"$@"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf '<== %s: %s in %d.%03ds\n' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" $((ms / 1000)) $((ms % 1000))
exit $rc
