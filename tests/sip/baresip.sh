# SPDX-License-Identifier: GPL-2.0-or-later
#
# Headless baresip phones for the kmediad suites and the demo: a config
# with the ausine source, a null player, G.711 and SDES, driven through
# ctrl_tcp by tests/sip/bs-ctrl.py ($ctrl). Source after tests/sip/kmsip.sh
# (uses $tmp and $sipdir).

ctrl=$sipdir/bs-ctrl.py
bpids=

# bs_conf DIR ADDR CTRL-PORT RTP-PORTS USER ACCOUNT-PARAMS: a headless baresip
bs_conf() {
	mkdir -p "$1"
	cat > "$1/config" <<-EOF
		sip_listen $2:5060
		net_interface $2
		audio_player aubridge,nil
		audio_source ausine,440
		ausrc_srate 48000
		ausrc_channels 2
		auplay_srate 48000
		auplay_channels 1
		rtp_ports $4
		module_path /usr/lib/baresip/modules
		module g711.so
		module ausine.so
		module aubridge.so
		module srtp.so
		module_app account.so
		module_app menu.so
		module_app ctrl_tcp.so
		ctrl_tcp_listen 127.0.0.1:$3
	EOF
	echo "<sip:$5@$2>;regint=0;audio_codecs=PCMU$6" > "$1/accounts"
}

# bs_start NS DIR NAME: baresip in namespace NS, output in $tmp/NAME.out
bs_start() {
	ip netns exec "$1" baresip -4 -f "$2" > "$tmp/$3.out" 2>&1 &
	bpids="$bpids $!"
}

bs_stop() {
	local p
	for p in $bpids; do
		kill "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	bpids=
}


# wait_event FILE EVENT: until the driver printed the event (up to 20 s)
wait_event() {
	for _ in $(seq 200); do
		grep -q "^$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# phone_says NAME EVENT LOG-PATTERN: the phone's ctrl_tcp events
# ($tmp/NAME-events.out) report EVENT, or its own log ($tmp/NAME.out) the
# same thing (a ctrl_tcp client that connects while baresip starts may
# miss events); waits up to 20 s
phone_says() {
	for _ in $(seq 200); do
		grep -q "^$2" "$tmp/$1-events.out" 2> /dev/null && return 0
		grep -q -- "$3" "$tmp/$1.out" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
