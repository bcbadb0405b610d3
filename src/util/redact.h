/* redact.h - take secrets out of text before it is printed, logged, stored,
 * posted or copied into a config.
 *
 * One rule for what is a secret, used by every place a text can carry a
 * credential: a source's error (libpq and libcurl echo parts of what they
 * were given), a diagnostic and the source line shown under it, the agent's
 * log, /status, the store's transitions table, the webhook body, and the
 * commands `init` drafts and `export` writes. A secret is:
 *
 *   - each literal secret the caller knows (a configured password, a token,
 *     a webhook URL) of at least REDACT_MIN_LITERAL bytes;
 *   - the password of URL userinfo, whatever the scheme:
 *     postgresql://app:s3cret@db/app. The userinfo ends at the last '@'
 *     before the path, so a password holding '@', '%', a space or ':' is
 *     covered whole;
 *   - the path and query of a webhook URL (its secret is its path): a host
 *     hooks.*, or naming webhook, Discord's /api/webhooks/, Telegram's
 *     /bot..., and any host's /services/, /hooks/, /webhook(s)/ paths
 *     (Slack, Mattermost, Rocket.Chat and their look-alikes);
 *   - the value of a pair whose KEY is secret-bearing (redact_secret_key()):
 *     KEY=VALUE anywhere (libpq's "password=x", a query string "?token=x&",
 *     an environment assignment), --KEY VALUE on a command line
 *     (--requirepass x), "KEY": VALUE (JSON), and KEY: VALUE in YAML, block
 *     style (KEY at a line's start, after a list dash: the value runs to
 *     the line's end or a comment) and flow style (KEY after '{' or ',': the
 *     value runs to ',', '}' or ']'). A quoted value is covered to its
 *     closing quote; a value that is only a reference, ${NAME} or $NAME,
 *     hides nothing and stays; after Authorization the scheme word stays
 *     (Authorization: Bearer ***);
 *   - the credentials after "Bearer " or "Basic " (8 characters or more:
 *     shorter is a word of prose, "a bearer token");
 *   - a credential-looking token: the known prefixes of GitHub (ghp_,
 *     github_pat_...), GitLab (glpat-), Slack (xoxb-...), Stripe (sk_live_...),
 *     npm, PyPI, Hugging Face, Google API keys (AIza...), AWS access key IDs
 *     (AKIA + 16), JSON Web Tokens (eyJ...eyJ...), and any word of 32 or more
 *     letters, digits, '_' and '-' mixing upper case, lower case and digits.
 *
 * Written by hand: no library in the project's set does this. It is a
 * scanner over bytes, linear in the text. */
#ifndef HR_REDACT_H
#define HR_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

/** What replaces a secret in a message. */
#define REDACT_MASK "***"

/** Literal secrets shorter than this are not searched for (they would mask ordinary words). */
#define REDACT_MIN_LITERAL 4

/** Longest variable name redact_refs() makes, NUL included. */
#define REDACT_VAR_MAX 64

/** Which rule found a secret. */
enum redact_kind {
	REDACT_LITERAL,      /**< a secret the caller named */
	REDACT_URL_PASSWORD, /**< the password of URL userinfo; the name is the URL's host */
	REDACT_WEBHOOK,      /**< the path of a webhook URL; the name is its host */
	REDACT_KEY_VALUE,    /**< the value of a secret-bearing key; the name is the key */
	REDACT_AUTH,         /**< the credentials after Bearer or Basic */
	REDACT_TOKEN,        /**< a credential-looking token */
};

/** One secret found in a text. */
struct redact_span {
	size_t start, end;     /**< the secret is text[start, end) */
	enum redact_kind kind;
	size_t name, name_len; /**< text[name, name + name_len) names it (key, host); name_len 0 = nothing */
};

/**
 * Is a key secret-bearing: does it end in password, passwd, pwd, pass (a
 * word of its own: RABBITMQ_DEFAULT_PASS), secret, token, apikey, api_key,
 * api-key, private_key, access_key, secret_key, requirepass, masterauth,
 * authorization, credential(s), webhook or webhook_url, or hold secret,
 * password, passwd or credential anywhere (SECRET_KEY_BASE), any case.
 * Leading dashes (a command-line flag) are ignored.
 */
bool redact_secret_key(const char *key, size_t n);

/**
 * The first secret of text at or after byte from.
 * @param secrets literal secrets, NULL terminated; may be NULL.
 * @return true and *sp filled, or false when there is none.
 */
bool redact_next(const char *text, size_t from, const char *const *secrets, struct redact_span *sp);

/**
 * Append text to out with every secret replaced by REDACT_MASK.
 * @param text NUL-terminated; NULL appends nothing.
 * @param secrets literal secrets to mask wherever they occur, NULL terminated;
 *        may be NULL. Entries shorter than REDACT_MIN_LITERAL are ignored.
 * @return 0 or HR_E_TOO_LARGE (out's cap; out holds what fitted).
 */
HR_NODISCARD int redact_append(struct strbuf *out, const char *text, const char *const *secrets);

/**
 * Append text to out with every character of every secret replaced by '*'
 * (a tab stays a tab), so each character keeps its column: for a source
 * line shown with a caret under it.
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int redact_append_aligned(struct strbuf *out, const char *text, const char *const *secrets);

/**
 * Redact text into a new string.
 * @return a string the caller frees (never NULL; "" for NULL text).
 */
char *redact_dup(const char *text, const char *const *secrets);

/**
 * Redact a string in place. Masking never makes the text longer than
 * strlen(text) + 3 per secret, so the caller's buffer must have room for that;
 * use this only on buffers from redact-aware code (strbuf) - otherwise use
 * redact_dup().
 * @param buf NUL-terminated, of size n; the result is cut to fit n.
 */
void redact_inplace(char *buf, size_t n, const char *const *secrets);

/**
 * Write URL without what could be secret: scheme://host[:port], then a slash and the mask
 * when it had a path or query (a webhook URL's secret is its path).
 * @param buf receives the result, NUL-terminated; n > 0.
 * @return buf.
 */
char *redact_url_origin(const char *url, char *buf, size_t n);

/** A secret redact_refs() replaced by a reference. */
struct redact_ref {
	char var[REDACT_VAR_MAX]; /**< the variable, PREFIX_NAME in upper case: REDIS_REQUIREPASS */
	char what[128];           /**< what held it: "the value of --requirepass" */
};

/**
 * Copy a command line with every secret replaced by a ${VAR} reference, so
 * a config or a manifest holds the reference and the value stays where it
 * is set. VAR is PREFIX_NAME in upper case, NAME from what held the secret:
 * the key (--requirepass -> REQUIREPASS), the URL's host and PASSWORD
 * (amqp://u:pw@rabbit -> RABBIT_PASSWORD), WEBHOOK, TOKEN; a second secret
 * that would get the same name gets _2, _3...; the same secret twice gets
 * one variable. A text holding only references is copied unchanged.
 * @param prefix the owner's name (a service), made upper case; may be "".
 * @param out receives the text.
 * @param refs set to a new array the caller frees with free(), one entry per
 *        variable, or NULL when there is none; *n its length.
 * @return 0 or HR_E_TOO_LARGE (out's cap).
 */
HR_NODISCARD int redact_refs(const char *text, const char *prefix, struct strbuf *out, struct redact_ref **refs,
			     size_t *n);

/**
 * The variables a command refers to, ${NAME} or $NAME, as Compose reads
 * them ("$$" is a literal '$'), each once, in order of first use.
 * @param names set to a new array of new strings, or NULL when there is
 *        none; the caller frees each and the array.
 * @return how many.
 */
size_t redact_ref_names(const char *text, char ***names);

#endif
