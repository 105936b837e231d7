#!/usr/bin/env bash
# Sets everything up and runs relview: the desktop app on the built-in sample
# library (the last library, once you have opened another) when there is a
# display; otherwise it says so and shows the command line on the sample
# photos instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LANG=en_US.UTF-8
if [[ -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ]]; then
  exec ./relview "$@"
fi
echo "run: no display (\$DISPLAY and \$WAYLAND_DISPLAY are unset), so the desktop app cannot open;"
echo "run: showing the command line on the sample photos instead (scripts/gui-smoke.sh runs the app under Xvfb)."
./relview models
./relview index assets/photos
./relview neighbors assets/photos assets/photos/motorcycle_left.png -k 4
./relview compare assets/photos/motorcycle_left.png assets/photos/motorcycle_right.png
