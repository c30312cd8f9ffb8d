#!/bin/bash
# Rekey soak, make-before-break reauthentication: see ipsec_rekey_soak.
. "$(dirname "$0")/../lib.sh"
lab_start
ipsec_rekey_soak yes
