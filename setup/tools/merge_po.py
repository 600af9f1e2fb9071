"""Merge each addon's i18n/<addon>.pot into its i18n/zh_CN.po.

Translations of msgids still in the .pot are kept, new msgids are added untranslated and
obsolete ones dropped. Prints how many strings each addon still lacks.
Usage: python setup/tools/merge_po.py ADDON [ADDON ...]
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
HEADER = {
    "Project-Id-Version": "Odoo Server 19.0",
    "PO-Revision-Date": "",
    "Last-Translator": "",
    "Language-Team": "Chinese (Simplified)",
    "Language": "zh_CN",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "",
    "Plural-Forms": "",
}


def merge(addon):
    i18n = ROOT / addon / "i18n"
    pot = polib.pofile(str(i18n / f"{addon}.pot"))
    po_path = i18n / "zh_CN.po"
    old = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    known = {(e.msgctxt, e.msgid): e.msgstr for e in old if e.msgstr}
    known_by_id = {e.msgid: e.msgstr for e in old if e.msgstr}
    new = polib.POFile(wrapwidth=78)
    new.metadata = dict(HEADER)
    for entry in pot:
        entry.msgstr = known.get((entry.msgctxt, entry.msgid)) or known_by_id.get(entry.msgid, "")
        new.append(entry)
    new.save(str(po_path))
    missing = [e.msgid for e in new if not e.msgstr]
    print(f"{addon}: {len(new)} strings, {len(missing)} without a zh_CN translation")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        merge(name)
