/* Unit tests for actuators/: the exact argv the compose actuator runs, and
 * the exec actuator run for real.
 *
 * No Docker engine runs where these tests run: the compose actuator is
 * pointed (its `docker` key) at a script written here that records its
 * argv, one word per line, and answers as `docker compose` would. That
 * checks the commands headroom would give Docker, word for word; it does not
 * check Docker itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actuators/actuator.h"
#include "actuators/run.h"
#include "util/clock.h"

static char dir[64];

static char *path_in(const char *name)
{
	static char buf[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void write_script(const char *name, const char *body)
{
	FILE *fp = fopen(path_in(name), "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s", body);
	fclose(fp);
	assert_int_equal(chmod(path_in(name), 0755), 0);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/headroom-act.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_compose_argv(void **state)
{
	(void)state;
	char body[512];
	// Records argv (one word a line, a blank line after each call); `ps`
	// answers two running containers.
	snprintf(body, sizeof(body),
		 "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done >>'%s/argv'\necho >>'%s/argv'\n"
		 "case \" $* \" in *' ps '*) echo 3f2a9c1d0b4e; echo 0a1b2c3d4e5f;; esac\nexit 0\n",
		 dir, dir);
	write_script("docker", body);
	char *files[] = {"docker-compose.yml", "prod.yml"};
	struct autoscale_service_config cfg = {.name = "worker", .actuator = AUTOSCALE_COMPOSE, .project = "shop",
					       .docker = path_in("docker"), .files = files, .n_files = 2};
	struct diag d;
	struct strbuf msgs, err;
	strbuf_init(&msgs, 4096);
	strbuf_init(&err, 1024);
	diag_init_mem(&d, &msgs);
	struct actuator *a;
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	assert_string_equal(actuator_type(a), "compose");
	int n = -1;
	assert_int_equal(actuator_current(a, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(actuator_scale(a, 5, &err), 0);
	actuator_close(a);
	char want[512];
	snprintf(want, sizeof(want),
		 "compose\n-f\ndocker-compose.yml\n-f\nprod.yml\n-p\nshop\nps\n-q\nworker\n\n"
		 "compose\n-f\ndocker-compose.yml\n-f\nprod.yml\n-p\nshop\nup\n-d\n--no-recreate\n--scale\nworker=5\nworker\n\n");
	assert_string_equal(slurp(path_in("argv")), want);

	// `service` overrides the key; no files: only -p.
	unlink(path_in("argv"));
	cfg.service = "queue-worker";
	cfg.n_files = 0;
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	assert_int_equal(actuator_scale(a, 0, &err), 0);
	actuator_close(a);
	assert_string_equal(slurp(path_in("argv")),
			    "compose\n-p\nshop\nup\n-d\n--no-recreate\n--scale\nqueue-worker=0\nqueue-worker\n\n");

	// Docker failing: the last line of its stderr, and the exit status.
	write_script("docker", "echo 'pulling...' >&2\n"
			       "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' >&2\nexit 1\n");
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	assert_int_not_equal(actuator_current(a, &n, &err), 0);
	char line[300];
	snprintf(line, sizeof(line), "%s: exit 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock",
		 path_in("docker"));
	assert_string_equal(strbuf_str(&err), line);
	// Output that is not container ids.
	write_script("docker", "echo 'no such service: worker'\n");
	assert_int_equal(actuator_current(a, &n, &err), HR_E_PROTOCOL);
	assert_string_equal(strbuf_str(&err), "docker compose ps -q queue-worker: unexpected output 'no such service: worker'");
	actuator_close(a);

	// Names that could read as an option or inject anything are refused
	// before anything runs.
	cfg.service = "-rm";
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), HR_E_INVALID);
	cfg.service = "web;reboot";
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), HR_E_INVALID);
	cfg.service = NULL;
	cfg.project = NULL;
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs),
			    "headroom: error: autoscale.services.worker: service '-rm': must not start with '-' or '.'\n"
			    "headroom: error: autoscale.services.worker: service 'web;reboot': only letters, digits, "
			    "'.', '_' and '-' are allowed\n"
			    "headroom: error: autoscale.services.worker: the compose actuator needs a project: set "
			    "'project' (docker compose -p)\n");
	strbuf_free(&msgs);
	strbuf_free(&err);
}

static void test_exec_for_real(void **state)
{
	(void)state;
	char body[512];
	// A real little actuator: keeps the count in a file.
	snprintf(body, sizeof(body),
		 "f='%s/count.'\"$2\"\ncase \"$1\" in\n"
		 "current) cat \"$f\" 2>/dev/null || echo 0;;\n"
		 "scale) [ \"$3\" -ge 0 ] && echo \"$3\" >\"$f\";;\n"
		 "*) echo \"usage: $0 current|scale SERVICE [N]\" >&2; exit 64;;\nesac\n",
		 dir);
	write_script("scale", body);
	char *cmd[] = {path_in("scale")};
	struct autoscale_service_config cfg = {.name = "mailer", .actuator = AUTOSCALE_EXEC, .command = cmd,
					       .n_command = 1};
	struct diag d;
	struct strbuf msgs, err;
	strbuf_init(&msgs, 4096);
	strbuf_init(&err, 1024);
	diag_init_mem(&d, &msgs);
	struct actuator *a;
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	int n = -1;
	assert_int_equal(actuator_current(a, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(actuator_scale(a, 3, &err), 0);
	assert_int_equal(actuator_current(a, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(slurp(path_in("count.mailer")), "3\n");
	actuator_close(a);

	// A command that fails, one that prints no number, one that is not there.
	write_script("scale", "echo 'quota exceeded' >&2\nexit 3\n");
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	assert_int_not_equal(actuator_scale(a, 2, &err), 0);
	char line[300];
	snprintf(line, sizeof(line), "%s: exit 3: quota exceeded", path_in("scale"));
	assert_string_equal(strbuf_str(&err), line);
	write_script("scale", "echo three\n");
	assert_int_equal(actuator_current(a, &n, &err), HR_E_PROTOCOL);
	snprintf(line, sizeof(line), "%s current mailer: expected a whole number on stdout, got 'three\n'",
		 path_in("scale"));
	assert_string_equal(strbuf_str(&err), line);
	actuator_close(a);
	cmd[0] = path_in("nowhere");
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), 0);
	assert_int_equal(actuator_scale(a, 2, &err), HR_E_NOTFOUND);
	snprintf(line, sizeof(line), "%s: cannot be started (not found or not executable)", path_in("nowhere"));
	assert_string_equal(strbuf_str(&err), line);
	actuator_close(a);

	// A command past its deadline is killed.
	cmd[0] = path_in("slow");
	write_script("slow", "exec sleep 30\n");
	assert_int_equal(actuator_open(&cfg, 0.3, &d, &a), 0);
	double t0 = clock_mono();
	assert_int_equal(actuator_scale(a, 2, &err), HR_E_TIMEOUT);
	assert_true(clock_mono() - t0 < 10);
	snprintf(line, sizeof(line), "%s: timed out after 300 ms (killed)", path_in("slow"));
	assert_string_equal(strbuf_str(&err), line);
	actuator_close(a);
	cfg.n_command = 0;
	assert_int_equal(actuator_open(&cfg, 10, &d, &a), HR_E_INVALID);
	strbuf_free(&msgs);
	strbuf_free(&err);
}

static void test_run(void **state)
{
	(void)state;
	// A script that leaves a worker in the background holding its stdout
	// returns when it exits, not when the worker does.
	write_script("bg", "sleep 20 &\necho started\n");
	struct strbuf out, err;
	strbuf_init(&out, 1024);
	strbuf_init(&err, 1024);
	struct run_result res;
	const char *argv[] = {path_in("bg"), NULL};
	double t0 = clock_mono();
	assert_int_equal(run_argv(argv, 10, &out, &err, &res), 0);
	assert_true(clock_mono() - t0 < 5);
	assert_string_equal(strbuf_str(&out), "started\n");
	assert_int_equal(res.exit_code, 0);
	// argv words reach the command as they are: no shell.
	strbuf_reset(&out);
	const char *echo[] = {"printf", "%s|", "$(reboot)", "a b", "*", NULL};
	assert_int_equal(run_argv(echo, 10, &out, &err, &res), 0);
	assert_string_equal(strbuf_str(&out), "$(reboot)|a b|*|");
	// No descriptor of ours leaks into the child.
	int fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 100), 100);
	strbuf_reset(&out);
	const char *ls[] = {"ls", "/proc/self/fd", NULL};
	assert_int_equal(run_argv(ls, 10, &out, &err, &res), 0);
	assert_null(strstr(strbuf_str(&out), "100"));
	close(100);
	close(fd);
	// Output past the cap is dropped, the command still runs to its end.
	struct strbuf small;
	strbuf_init(&small, 10);
	const char *seq[] = {"seq", "1", "100000", NULL};
	assert_int_equal(run_argv(seq, 10, &small, &err, &res), 0);
	assert_int_equal(res.exit_code, 0);
	assert_true(small.len <= 10);
	// A signal ends it: 128 + the signal.
	const char *kill_self[] = {"sh", "-c", "kill -TERM $$", NULL};
	assert_int_equal(run_argv(kill_self, 10, &out, &err, &res), 0);
	assert_int_equal(res.exit_code, 128 + 15);
	strbuf_free(&small);
	strbuf_free(&out);
	strbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose_argv),
		cmocka_unit_test(test_exec_for_real),
		cmocka_unit_test(test_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
