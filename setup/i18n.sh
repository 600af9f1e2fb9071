#!/usr/bin/env bash
# Regenerate each addon's i18n/<addon>.pot from the code and merge it into i18n/zh_CN.po
# (existing translations kept, new strings added empty, obsolete ones dropped).
# Usage: setup/i18n.sh            then translate the empty msgstr of the zh_CN.po files.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sp_setup
SP_I18N_DB="${SP_I18N_DB:-sales_policy_i18n}"
conf="$SP_CACHE/odoo-$SP_I18N_DB.conf"
sp_odoo_conf "$conf" "$SP_I18N_DB"

if psql -d "$SP_I18N_DB" -Atqc 'select 1' >/dev/null 2>&1; then
    sp_odoo -c "$conf" -d "$SP_I18N_DB" -u "$SP_ADDONS" --stop-after-init --log-level=warn
else
    sp_odoo -c "$conf" -d "$SP_I18N_DB" -i "$SP_ADDONS" --stop-after-init --log-level=warn
fi
sp_log "Exporting the .pot files"
sp_odoo i18n export -c "$conf" -d "$SP_I18N_DB" -l pot -- ${SP_ADDONS//,/ }
"$SP_VENV/bin/python" "$SP_ROOT/setup/tools/merge_po.py" ${SP_ADDONS//,/ }
