#!/usr/bin/env bash
# Regenerates the notebook screenshots in docs/images/notebooks/ from the browser tests: what
# the README and docs/notebooks.md show is what the tests saw (Jupyter Notebook in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser-setup.sh
rm -rf .cache/screenshots
pnpm exec vitest run --project browser
mkdir -p docs/images/notebooks
cp .cache/screenshots/*.png docs/images/notebooks/
echo "screenshots: $(ls docs/images/notebooks | wc -l) files in docs/images/notebooks/"
