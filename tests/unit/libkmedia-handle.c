// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's transport against the one generic netlink
 * family every kernel has, the controller ("nlctrl"): requests, multi-part
 * dumps, draining after a callback stopped, and forged replies from other
 * processes. No kmedia module needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"
#include "unit-handle.h"

static struct nlmsghdr *getfamily(struct kmedia_handle *h, const char *name,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = kmd_msg_start(h, h->buf, CTRL_CMD_GETFAMILY,
					     flags);

	if (name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

static int family_id_cb(const struct nlmsghdr *nlh, void *data)
{
	uint16_t *id = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			*id = mnl_attr_get_u16(attr);
	return 0;
}

struct counter {
	int n;
	int stop_at;
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct counter *c = data;

	(void)nlh;
	return ++c->n == c->stop_at ? 7 : 0;
}

TEST(request_and_reply)
{
	struct kmedia_handle h;
	uint16_t id = 0;

	if (!kmt_unit_open(&h, GENL_ID_CTRL))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	EXPECT_EQ(0, kmd_request(&h, getfamily(&h, "nlctrl", 0), family_id_cb,
				 &id));
	EXPECT_EQ(GENL_ID_CTRL, id);
	kmt_unit_close(&h);
}

TEST(kernel_error_is_returned)
{
	struct kmedia_handle h;

	if (!kmt_unit_open(&h, GENL_ID_CTRL))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	EXPECT_EQ(-ENOENT, kmd_request(&h, getfamily(&h, "no-such-family", 0),
				       NULL, NULL));
	kmt_unit_close(&h);
}

TEST(dump_and_drain_after_a_stop)
{
	struct counter all = { 0 }, stopped = { .stop_at = 1 };
	struct kmedia_handle h;
	uint16_t id = 0;

	if (!kmt_unit_open(&h, GENL_ID_CTRL))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	ASSERT_EQ(0, kmd_request(&h, getfamily(&h, NULL, NLM_F_DUMP),
				 count_cb, &all));
	EXPECT_LE(1, all.n);
	/* The callback's value comes back, and the rest of the dump is read
	 * so that the next request gets its own reply.
	 */
	EXPECT_EQ(7, kmd_request(&h, getfamily(&h, NULL, NLM_F_DUMP),
				 count_cb, &stopped));
	EXPECT_EQ(1, stopped.n);
	EXPECT_EQ(0, kmd_request(&h, getfamily(&h, "nlctrl", 0), family_id_cb,
				 &id));
	EXPECT_EQ(GENL_ID_CTRL, id);
	kmt_unit_close(&h);
}

/* Any process can send to our port id; only the kernel's answer counts. */
TEST(forged_reply_from_a_process_is_ignored)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct kmedia_handle h;
	struct mnl_socket *peer;
	struct nlmsgerr *err;
	struct nlmsghdr *nlh;
	char msg[256];
	uint16_t id = 0;
	ssize_t sent;

	if (!kmt_unit_open(&h, GENL_ID_CTRL))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	to.nl_pid = h.portid;
	peer = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, peer);
	ASSERT_EQ(0, mnl_socket_bind(peer, 0, MNL_SOCKET_AUTOPID));

	/* An error "answering" the next request, queued before it is sent. */
	nlh = mnl_nlmsg_put_header(msg);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = h.seq + 1;
	nlh->nlmsg_pid = h.portid;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EPERM;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr);
	err->msg.nlmsg_seq = h.seq + 1;
	sent = sendto(mnl_socket_get_fd(peer), nlh, nlh->nlmsg_len, 0,
		      (struct sockaddr *)&to, sizeof(to));
	mnl_socket_close(peer);
	if (sent < 0) {
		kmt_unit_close(&h);
		SKIP(return, "cannot send between netlink sockets: %s",
		     strerror(errno));
	}

	EXPECT_EQ(0, kmd_request(&h, getfamily(&h, "nlctrl", 0), family_id_cb,
				 &id));
	EXPECT_EQ(GENL_ID_CTRL, id);
	kmt_unit_close(&h);
}

TEST(open_without_the_module_is_enoent)
{
	struct kmedia_handle *h = NULL;
	int err;

	err = kmedia_handle_open(&h);
	if (!err) {
		kmedia_handle_close(h);
		SKIP(return, "the kmedia module is loaded here");
	}
	EXPECT_EQ(-ENOENT, err);
	EXPECT_EQ(NULL, h);
}

TEST_HARNESS_MAIN
