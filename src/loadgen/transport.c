/* transport.c - see transport.h. */
#include "loadgen/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "util/xalloc.h"

struct transport_ctx {
	SSL_CTX *ssl;
	bool verify;
};

/* ---- plain ---- */

static int plain_attach(struct transport_ctx *ctx, int fd, const char *host, void **state)
{
	(void)ctx, (void)fd, (void)host;
	*state = NULL;
	return 0;
}

static int plain_handshake(void *state, int fd)
{
	(void)state, (void)fd;
	return 0;
}

static ssize_t plain_read(void *state, int fd, void *buf, size_t n)
{
	(void)state;
	for (;;) {
		/* recv, not read: it enters the socket layer directly, without
		 * the file layer's checks, which measurably costs less per call. */
		ssize_t r = recv(fd, buf, n, 0);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

static ssize_t plain_write(void *state, int fd, const void *buf, size_t n)
{
	(void)state;
	for (;;) {
		ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

static void plain_detach(void *state)
{
	(void)state;
}

const struct transport_ops transport_plain = {
	"plain", plain_attach, plain_handshake, plain_read, plain_write, plain_detach, false,
};

/* ---- TLS ---- */

int transport_tls_ctx_new(bool verify, struct transport_ctx **out)
{
	*out = NULL;
	SSL_CTX *s = SSL_CTX_new(TLS_client_method());
	if (!s)
		return HR_E_UNAVAILABLE;
	SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
	/* A write may be retried with a moved buffer and partially accepted, as
	 * with write(2); the engine keeps its own offset. */
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (verify) {
		if (SSL_CTX_set_default_verify_paths(s) != 1) {
			SSL_CTX_free(s);
			return HR_E_UNAVAILABLE;
		}
		SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(s, SSL_VERIFY_NONE, NULL);
	}
	struct transport_ctx *c = xcalloc(1, sizeof(*c));
	c->ssl = s;
	c->verify = verify;
	*out = c;
	return 0;
}

void transport_ctx_free(struct transport_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

static bool is_ip_literal(const char *host)
{
	unsigned char b[16];
	return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

static int tls_attach(struct transport_ctx *ctx, int fd, const char *host, void **state)
{
	SSL *s = SSL_new(ctx->ssl);
	if (!s)
		return HR_E_PROTOCOL;
	int rc = HR_E_PROTOCOL;
	if (SSL_set_fd(s, fd) != 1)
		goto out;
	if (!is_ip_literal(host) && SSL_set_tlsext_host_name(s, host) != 1)
		goto out;
	if (ctx->verify && SSL_set1_host(s, host) != 1)
		goto out;
	SSL_set_connect_state(s);
	*state = s;
	s = NULL; /* the caller's now */
	rc = 0;
out:
	SSL_free(s);
	return rc;
}

/* Map an SSL_get_error() result to the transport convention. */
static int tls_error(SSL *s, int ret)
{
	int e = SSL_get_error(s, ret);
	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		/* errno 0: the peer closed without close_notify. */
		return errno ? -errno : 0;
	default:
		ERR_clear_error();
		return HR_E_PROTOCOL;
	}
}

static int tls_handshake(void *state, int fd)
{
	(void)fd;
	SSL *s = state;
	int r = SSL_do_handshake(s);
	if (r == 1)
		return 0;
	int e = tls_error(s, r);
	return e == 0 ? -ECONNRESET : e;
}

static ssize_t tls_read(void *state, int fd, void *buf, size_t n)
{
	(void)fd;
	SSL *s = state;
	errno = 0;
	int r = SSL_read(s, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	return r > 0 ? r : tls_error(s, r);
}

static ssize_t tls_write(void *state, int fd, const void *buf, size_t n)
{
	(void)fd;
	SSL *s = state;
	errno = 0;
	int r = SSL_write(s, buf, n > INT32_MAX ? INT32_MAX : (int)n);
	if (r > 0)
		return r;
	int e = tls_error(s, r);
	return e == 0 ? -EPIPE : e;
}

static void tls_detach(void *state)
{
	SSL_free(state);
}

const struct transport_ops transport_tls = {
	"tls", tls_attach, tls_handshake, tls_read, tls_write, tls_detach, true,
};
