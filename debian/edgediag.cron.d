# edgediag self-check every 5 minutes, for systems without systemd: where
# systemd runs, edgediag.timer does it and this entry does nothing.
# Options: /etc/default/edgediag. The status line goes nowhere (Nagios runs
# `edgediag check` itself); errors are mailed by cron.
# flock -n: a run still going (a hung vtysh) makes the next one skip rather
# than pile up; timeout 60: the unit's TimeoutStartSec, check's own --deadline
# (10 s) plus margin.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

*/5 * * * *	root	[ -d /run/systemd/system ] && exit 0; test -x /usr/sbin/edgediag || exit 0; EDGEDIAG_CHECK_ARGS=; [ -r /etc/default/edgediag ] && . /etc/default/edgediag; flock -n /run/edgediag.lock timeout 60 /usr/sbin/edgediag check $EDGEDIAG_CHECK_ARGS >/dev/null
