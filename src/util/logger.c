/* logger.c - the agent's log: one timestamped, masked line per event, to a
 * stream or to memory (see logger.h). */
#include "util/logger.h"

#include <stdlib.h>
#include <time.h>

#include "util/clock.h"
#include "util/redact.h"

void logger_init_file(struct logger *l, FILE *fp, const char *prog)
{
	*l = (struct logger){.fp = fp, .prog = prog, .now = clock_unix};
}

void logger_init_mem(struct logger *l, struct strbuf *mem, const char *prog)
{
	*l = (struct logger){.mem = mem, .prog = prog, .now = clock_unix};
}

void logger_printf(struct logger *l, const char *fmt, ...)
{
	char ts[32];
	time_t now = (time_t)(l->now ? l->now() : clock_unix());
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct strbuf line;
	strbuf_init(&line, 64 << 10);
	va_list ap;
	va_start(ap, fmt);
	int rc = strbuf_printf(&line, "%s: %s ", l->prog ? l->prog : "headroom", ts);
	if (!rc)
		rc = strbuf_vprintf(&line, fmt, ap);
	va_end(ap);
	(void)rc; /* a line too long for the cap is logged cut, never dropped */
	/* The last guard: whatever a line quotes (a source's error, a URL), no
	 * credential reaches the log (util/redact.h). */
	char *safe = redact_dup(strbuf_str(&line), NULL);
	strbuf_free(&line);
	if (l->fp) {
		/* One line whole, whichever thread logs (the agent's autoscaler has its own). */
		flockfile(l->fp);
		fputs(safe, l->fp);
		fputc('\n', l->fp);
		fflush(l->fp);
		funlockfile(l->fp);
	} else if (l->mem) {
		if (strbuf_puts(l->mem, safe) == 0 && strbuf_puts(l->mem, "\n") != 0) {
			/* full: the line stays without its newline */
		}
	}
	free(safe);
}
