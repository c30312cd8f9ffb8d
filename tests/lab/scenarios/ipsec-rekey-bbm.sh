#!/bin/bash
# Rekey soak, break-before-make reauthentication: see ipsec_rekey_soak.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_rekey_soak no
