#!/usr/bin/env bash
# Sets everything up and runs relview on the built-in sample photos.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LANG=en_US.UTF-8
./relview models
./relview compare assets/photos/motorcycle_left.png assets/photos/motorcycle_right.png
./relview compare assets/photos/motorcycle_left.png assets/photos/chelsea.png
