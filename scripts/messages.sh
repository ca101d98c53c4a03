#!/usr/bin/env bash
# Refresh every translation catalogue (each app's locale/ and the project's src/safar/locale/)
# from the source, for Tajik and Russian, then list the messages still without a translation.
# msgids are English; translations are written by hand in the .po files.
set -euo pipefail
cd "$(dirname "$0")/.."
SAFAR="$PWD/.venv/bin/safar"
for locale_dir in src/safar/*/locale; do
  app_dir=$(dirname "$locale_dir")
  (cd "$app_dir" && "$SAFAR" makemessages -l tg -l ru --no-obsolete -v0)
done
# The project-wide templates and settings (src/safar/templates, settings.py), not the apps'.
(cd src/safar && "$SAFAR" makemessages -l tg -l ru --no-obsolete -v0 \
  --ignore='*/locale/*' $(for d in */locale; do printf -- "--ignore=%s/* " "${d%/locale}"; done))
# src/safar/locale_packages/ (Django's and third-party apps' words) is written by hand only.
for po in src/safar/*/locale/*/LC_MESSAGES/django.po src/safar/locale/*/LC_MESSAGES/django.po \
  src/safar/locale_packages/*/LC_MESSAGES/*.po; do
  missing=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
  # msgattrib prints the header entry too when anything is listed.
  [ "$missing" -gt 0 ] && missing=$((missing - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  if [ "$missing" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then echo "$po: $missing untranslated, $fuzzy fuzzy"; fi
done
