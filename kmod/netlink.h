/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: helpers shared by the generic netlink command handlers.
 */
#ifndef _KMEDIA_NETLINK_H
#define _KMEDIA_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/kmedia.h>

#include "endpoint.h"
#include "kmedia.h"

struct kmedia_srtp;
struct kmedia_srtp_params;
struct kmedia_stream;

/*
 * Refuse a request that lacks attribute @type of @nest (NULL: top level),
 * both machine-readably (the missing-attribute TLVs) and in words: @msg, a
 * string literal, names the attribute, which NL_REQ_ATTR_CHECK does not.
 */
static inline bool kmedia_nl_missing(struct netlink_ext_ack *extack,
				     const struct nlattr *nest,
				     struct nlattr **tb, int type,
				     const char *msg)
{
	if (tb[type])
		return false;
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
	if (extack)
		extack->_msg = msg;
	return true;
}

void *kmedia_nl_put_hdr(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			u8 cmd);
int kmedia_nl_put_endpoint(struct sk_buff *skb, int attrtype,
			   const struct kmedia_endpoint *ep);
int kmedia_nl_parse_endpoint(const struct nlattr *nest,
			     struct kmedia_endpoint *ep,
			     struct netlink_ext_ack *extack);
int kmedia_nl_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
			unsigned long index, int err);
int kmedia_nl_parse_srtp(const struct nlattr *nest, struct kmedia_srtp_params *p,
			 struct netlink_ext_ack *extack);
int kmedia_nl_put_srtp(struct sk_buff *skb, int attrtype, struct kmedia_srtp *ctx);
bool kmedia_nl_has_listeners(struct kmedia_net *kn);
int kmedia_nl_multicast(struct kmedia_net *kn, struct sk_buff *skb, gfp_t gfp);
int kmedia_nl_put_ctrs(struct sk_buff *skb, const u64 *ctrs);

extern const struct nla_policy kmedia_sock_top_policy[KMEDIA_A_SOCK + 1];
extern const struct nla_policy kmedia_stream_top_policy[KMEDIA_A_STREAM + 1];

/* netlink_sock.c */
int kmedia_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_stream.c */
int kmedia_nl_stream_new_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_stream_change_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_stream_del_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_stream_get_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_stream_get_start(struct netlink_callback *cb);
int kmedia_nl_stream_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int kmedia_nl_stream_flush_doit(struct sk_buff *skb, struct genl_info *info);
int kmedia_nl_put_stream_event(struct sk_buff *skb, struct kmedia_stream *stream,
			       u8 cmd, const struct kmedia_endpoint *src,
			       u32 value);

#endif /* _KMEDIA_NETLINK_H */
