#!/usr/bin/env bash
# Installs the Debian packages Safar needs when they are missing and apt-get can be used;
# otherwise says exactly what to install. Checks by command or file, so it is quick when all is there.
set -u
declare -A need=(
  [msgfmt]=gettext
  [tesseract]=tesseract-ocr
  [chromium]=chromium
  [pdftoppm]=poppler-utils
)
declare -A files=(
  [/usr/share/tesseract-ocr/5/tessdata/rus.traineddata]=tesseract-ocr-rus
  [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
  [/usr/share/fonts/opentype/ocr-b/OCRB.otf]=fonts-ocr-b
  [/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf]=fonts-dejavu-core
  [/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf]=fonts-liberation
)
missing=()
for cmd in "${!need[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}"); done
for f in "${!files[@]}"; do [ -e "$f" ] || missing+=("${files[$f]}"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null || {
    echo "apt-get could not install: ${missing[*]}" >&2; exit 1; }
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  echo "Installing system packages with sudo: ${missing[*]}"
  sudo apt-get update -q >/dev/null && sudo apt-get install -y -q "${missing[@]}" >/dev/null || exit 1
else
  echo "Safar needs these system packages (Debian names): ${missing[*]}" >&2
  echo "Install them with your package manager, then run make again." >&2
  exit 1
fi
