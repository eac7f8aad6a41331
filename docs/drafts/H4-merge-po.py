"""Merge a translation fragment (H5's docs/drafts/audio-admin-vi.po) into the Vietnamese
catalogue: entries the catalogue lacks are added, existing ones are kept as they are.

    uv run python docs/drafts/H4-merge-po.py docs/drafts/audio-admin-vi.po
    uv run pytest tests/i18n -q
"""

import sys

from babel.messages.pofile import read_po, write_po

CATALOGUE = "src/mercato/translations/vi/LC_MESSAGES/messages.po"

with open(CATALOGUE, "rb") as f:
    catalogue = read_po(f, locale="vi")
with open(sys.argv[1], "rb") as f:
    fragment = read_po(f, locale="vi")
added = 0
for message in fragment:
    if message.id and message.id not in catalogue and message.string:
        catalogue.add(message.id, message.string, flags=message.flags, context=message.context)
        added += 1
with open(CATALOGUE, "wb") as f:
    # width 100 and no locations: the way the catalogue is kept (a small diff).
    write_po(f, catalogue, width=100, ignore_obsolete=True, sort_output=True)
print(f"added {added} entries")
