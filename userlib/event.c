// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: events of the "events" multicast group (KMEDIA_CMD_*_NTF).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "internal.h"

/* Datagrams read by one kmedia_event_recv(), so that a flood of events
 * cannot keep the caller in the library forever.
 */
#define KMD_EVENT_READS 64

/*
 * Decode one message read from a subscribed socket. Returns 1 and fills
 * *cmdp and *stream for a kmedia event, 0 for any other message (replies,
 * other families, commands this library does not know), or -EBADMSG for a
 * malformed event.
 */
int kmd_event_parse(uint16_t family_id, const struct nlmsghdr *nlh,
		    enum kmedia_cmd *cmdp, struct kmedia_stream *stream)
{
	const struct genlmsghdr *genl;
	int err;

	if (nlh->nlmsg_type != family_id || family_id < NLMSG_MIN_TYPE)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	switch (genl->cmd) {
	case KMEDIA_CMD_STREAM_LATCH_NTF:
	case KMEDIA_CMD_STREAM_IDLE_NTF:
	case KMEDIA_CMD_STREAM_SRTP_FAIL_NTF:
		break;
	default:
		return 0;
	}
	err = kmd_stream_parse(nlh, stream);
	if (err)
		return err;
	*cmdp = genl->cmd;
	return 1;
}

/*
 * Walk the messages of one datagram and call cb for every event. Adds the
 * events delivered to *countp. Returns 0, cb's non-zero value (the rest of
 * the datagram is then dropped), or -EBADMSG.
 */
int kmd_event_dispatch(uint16_t family_id, const void *buf, size_t len,
		       kmedia_event_cb cb, void *data, int *countp)
{
	const struct nlmsghdr *nlh = buf;
	struct kmedia_stream stream;
	enum kmedia_cmd cmd;
	int left = len;
	int ret;

	while (mnl_nlmsg_ok(nlh, left)) {
		ret = kmd_event_parse(family_id, nlh, &cmd, &stream);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			(*countp)++;
			ret = cb(cmd, &stream, data);
			if (ret)
				return ret;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return 0;
}

int kmedia_event_recv(struct kmedia_handle *h, bool nonblock,
		      kmedia_event_cb cb, void *data)
{
	int flags = nonblock ? MSG_DONTWAIT : 0;
	int count = 0;
	int i, ret;

	if (!cb)
		return -EINVAL;
	for (i = 0; i < KMD_EVENT_READS; i++) {
		ssize_t len = kmd_recv(h, flags);

		if (len < 0) {
			/* Once something was read, an empty queue ends the
			 * call; a first empty read is the caller's -EAGAIN.
			 */
			if (len == -EAGAIN && i > 0)
				break;
			return len;
		}
		/* The first read may block; the rest only take what is queued. */
		flags = MSG_DONTWAIT;
		if (!len)
			continue;
		ret = kmd_event_dispatch(h->family_id, h->buf, len, cb, data,
					 &count);
		if (ret)
			return ret;
	}
	return count;
}
