# A source that is down: its triggers are UNKNOWN with the reason, exit 3.
# (curl's message says how long the refusal took: not part of the snapshot.)
headroom check -f tests/golden/check-down.yaml --no-history >"$T_TMP/check-down.tmp"
s=$?
sed 's/after [0-9]* ms/after N ms/' "$T_TMP/check-down.tmp"
rm -f "$T_TMP/check-down.tmp"
return $s
