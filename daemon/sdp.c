// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SDP rewriting (offer/answer, RFC 3264) with libosip2's SDP parser.
 *
 * The relay sits in the media path: in whatever one side sends, every
 * active m= line gets our port on the other side, c= and o= our address
 * there (IPv4 or IPv6, whatever that side uses), a=rtcp our RTCP port, and
 * ICE attributes go away since the relay is the only candidate. Port 0
 * lines stay port 0 and hold no relay ports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/sdp_message.h>

#include "kmediad.h"

static const char *const ice_attrs[] = {
	"candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
	"ice-mismatch", "remote-candidates", "end-of-candidates", "ice-pacing",
};

static void replace(char **field, const char *value)
{
	osip_free(*field);
	*field = osip_strdup(value);
}

static void drop_ice(osip_list_t *attrs)
{
	sdp_attribute_t *a;
	int i = 0;
	size_t k;

	while ((a = osip_list_get(attrs, i))) {
		bool ice = false;

		for (k = 0; k < sizeof(ice_attrs) / sizeof(ice_attrs[0]); k++)
			if (a->a_att_field && !strcasecmp(a->a_att_field, ice_attrs[k]))
				ice = true;
		if (ice) {
			osip_list_remove(attrs, i);
			sdp_attribute_free(a);
		} else {
			i++;
		}
	}
}

static sdp_attribute_t *find_attr(osip_list_t *attrs, const char *name)
{
	sdp_attribute_t *a;
	int i;

	for (i = 0; (a = osip_list_get(attrs, i)); i++)
		if (a->a_att_field && !strcasecmp(a->a_att_field, name))
			return a;
	return NULL;
}

/* a=sendonly, recvonly or inactive: a call on hold, media one way or none */
static bool one_way(osip_list_t *attrs)
{
	return find_attr(attrs, "sendonly") || find_attr(attrs, "recvonly") ||
	       find_attr(attrs, "inactive");
}

static int conn_addr(const sdp_connection_t *c, union kmd_addr *a)
{
	if (!c || !c->c_addr || !c->c_nettype || strcasecmp(c->c_nettype, "IN"))
		return -EINVAL;
	return kmd_addr_from_str(c->c_addr, 0, a);
}

static void set_conn(sdp_connection_t *c, const union kmd_addr *local)
{
	char ip[INET6_ADDRSTRLEN];

	replace(&c->c_nettype, "IN");
	replace(&c->c_addrtype, local->sa.sa_family == AF_INET6 ? "IP6" : "IP4");
	replace(&c->c_addr, kmd_addr_ip(local, ip, sizeof(ip)));
}

/* a=rtcp:PORT [IN IP4 ADDR] (RFC 3605) */
static int parse_rtcp_attr(const char *v, const union kmd_addr *rtp,
			   union kmd_addr *out)
{
	char nettype[8], addrtype[8], addr[INET6_ADDRSTRLEN];
	unsigned int port;
	int n;

	n = sscanf(v, "%u %7s %7s %45s", &port, nettype, addrtype, addr);
	if (n < 1 || !port || port > 65535)
		return -EINVAL;
	*out = *rtp;
	if (n == 4 && kmd_addr_from_str(addr, 0, out))
		return -EINVAL;
	kmd_addr_set_port(out, port);
	return 0;
}

int kmd_sdp_rewrite(struct kmd_media *m, int from, bool offer,
		    const char *body, char **out)
{
	int to = !from, i, err = -EINVAL;
	const union kmd_addr *session_local = NULL;
	union kmd_addr session_addr;
	bool have_session_addr;
	sdp_message_t *sdp;
	sdp_media_t *med;
	char *text = NULL;

	if (sdp_message_init(&sdp))
		return -ENOMEM;
	if (sdp_message_parse(sdp, body) || !sdp->o_addr)
		goto out;
	have_session_addr = !conn_addr(sdp->c_connection, &session_addr);

	for (i = 0; (med = osip_list_get(&sdp->m_medias, i)); i++) {
		struct kmd_mline *ml = i < KMD_MAX_MLINES ? &m->m[i] : NULL;
		union kmd_addr addr, rtcp_addr;
		sdp_connection_t *c = osip_list_get(&med->c_connections, 0);
		sdp_attribute_t *rtcp_attr;
		unsigned long port;
		char *end, buf[64];
		bool mux;

		if (!med->m_port)
			goto out;
		port = strtoul(med->m_port, &end, 10);
		if (end == med->m_port || *end || port > 65535)
			goto out;
		if (c ? conn_addr(c, &addr) : !have_session_addr ? -1 :
		    (addr = session_addr, 0))
			goto out;
		kmd_addr_set_port(&addr, port);
		mux = find_attr(&med->a_attributes, "rtcp-mux") != NULL;
		rtcp_attr = find_attr(&med->a_attributes, "rtcp");
		rtcp_addr = addr;
		kmd_addr_set_port(&rtcp_addr, port + 1);
		if (rtcp_attr && rtcp_attr->a_att_value &&
		    parse_rtcp_attr(rtcp_attr->a_att_value, &addr, &rtcp_addr))
			goto out;

		if (!ml || !port || (!offer && !ml->used)) {
			/* refused, beyond what we relay, or never offered */
			if (ml && ml->used)
				kmd_media_release(m, i);
			replace(&med->m_port, "0");
			drop_ice(&med->a_attributes);
			kmd_sdes_strip(&med->a_attributes);
			continue;
		}
		if (offer) {
			err = kmd_media_alloc(m, i, from == KMD_SIDE_A ? &addr : NULL);
			if (err)
				goto out;
			ml->offered_mux = mux;
			ml->sdes.policy[KMD_SIDE_A] = m->srtp_policy[KMD_SIDE_A];
			ml->sdes.policy[KMD_SIDE_B] = m->srtp_policy[KMD_SIDE_B];
			err = kmd_sdes_offer(&ml->sdes, from, &med->a_attributes,
					     &med->m_proto);
			if (err)
				goto out;
		} else {
			ml->mux = ml->offered_mux && mux;
			err = kmd_sdes_answer(&ml->sdes, from, &med->a_attributes,
					      &med->m_proto);
			if (err)
				goto out;
		}
		err = -EINVAL;
		/* c=0.0.0.0 (old-style hold) says where not to send */
		ml->has_peer[from] = !(addr.sa.sa_family == AF_INET &&
				       addr.sin.sin_addr.s_addr == INADDR_ANY);
		ml->hold[from] = !ml->has_peer[from] ||
				 one_way(&med->a_attributes) ||
				 (!find_attr(&med->a_attributes, "sendrecv") &&
				  one_way(&sdp->a_attributes));
		if (ml->has_peer[from]) {
			ml->peer_rtp[from] = addr;
			ml->peer_rtcp[from] = ml->mux ? addr : rtcp_addr;
		}

		snprintf(buf, sizeof(buf), "%u", ml->rtp[to].port);
		replace(&med->m_port, buf);
		if (c) {
			int k;

			for (k = 0; (c = osip_list_get(&med->c_connections, k)); k++)
				set_conn(c, &ml->rtp[to].local);
		}
		if (rtcp_attr) {
			char ip[INET6_ADDRSTRLEN];
			const union kmd_addr *l = &ml->rtcp[to].local;

			snprintf(buf, sizeof(buf), "%u IN %s %s", ml->rtcp[to].port,
				 l->sa.sa_family == AF_INET6 ? "IP6" : "IP4",
				 kmd_addr_ip(l, ip, sizeof(ip)));
			replace(&rtcp_attr->a_att_value, buf);
		}
		drop_ice(&med->a_attributes);
		if (!session_local)
			session_local = &ml->rtp[to].local;
	}
	drop_ice(&sdp->a_attributes);
	if (session_local) {
		char ip[INET6_ADDRSTRLEN];

		if (sdp->c_connection)
			set_conn(sdp->c_connection, session_local);
		replace(&sdp->o_addrtype,
			session_local->sa.sa_family == AF_INET6 ? "IP6" : "IP4");
		replace(&sdp->o_addr, kmd_addr_ip(session_local, ip, sizeof(ip)));
	}
	if (sdp_message_to_str(sdp, &text) || !text) {
		err = -ENOMEM;
		goto out;
	}
	*out = strdup(text);
	osip_free(text);
	err = *out ? 0 : -ENOMEM;
out:
	sdp_message_free(sdp);
	return err;
}
