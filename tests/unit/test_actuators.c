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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
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
	snprintf(line, sizeof(line), "%s: timed out after 300 ms (killed with its process group)", path_in("slow"));
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

/* Is process @p pid running (there, and not a zombie)? */
static int running(long pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* How many of the pids in file @p name (one a line) are running. */
static int running_in(const char *name)
{
	FILE *fp = fopen(path_in(name), "r");
	if (!fp)
		return -1;
	long pid;
	int n = 0;
	while (fscanf(fp, "%ld", &pid) == 1)
		n += running(pid);
	fclose(fp);
	return n;
}

/* A command that hangs: a child that would touch ./late after 2 s, a
 * `sleep 30`, their pids and its own in ./kids; with TERM ignored (by it and
 * its children) when @p stubborn. */
static void write_hang(int stubborn)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "cd '%s'\n%s(sleep 2; touch late) &\necho $! >kids\nsleep 30 &\necho $! >>kids\necho $$ >>kids\nwait\n", dir,
		 stubborn ? "trap '' TERM\n" : "");
	write_script("hang", body);
	unlink(path_in("kids"));
	unlink(path_in("late"));
}

static void wait_file(const char *name)
{
	for (int i = 0; i < 200 && access(path_in(name), F_OK) != 0; i++)
		clock_sleep(0.01);
}

static void test_group_killed_at_timeout(void **state)
{
	(void)state;
	struct strbuf out, err;
	strbuf_init(&out, 1024);
	strbuf_init(&err, 1024);
	struct run_result res;
	char hang[128];
	snprintf(hang, sizeof(hang), "%s", path_in("hang")); /* path_in() reuses its buffers */
	const char *argv[] = {hang, NULL};
	for (int stubborn = 0; stubborn <= 1; stubborn++) {
		write_hang(stubborn);
		double t0 = clock_mono();
		assert_int_equal(run_argv(argv, 0.5, &out, &err, &res), HR_E_TIMEOUT);
		double took = clock_mono() - t0;
		/* The timeout, plus the grace when SIGTERM is ignored. */
		assert_true(took >= 0.5 && took < (stubborn ? 0.5 + RUN_GRACE_S + 1 : 1.5));
		assert_int_equal(running_in("kids"), 0);
	}
	/* The child that would have acted late never does. */
	clock_sleep(2.2);
	assert_int_equal(access(path_in("late"), F_OK), -1);
	strbuf_free(&out);
	strbuf_free(&err);
}

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void test_stop(void **state)
{
	(void)state;
	struct strbuf out, err;
	strbuf_init(&out, 1024);
	strbuf_init(&err, 1024);
	struct run_result res;
	char hang[128];
	snprintf(hang, sizeof(hang), "%s", path_in("hang")); /* path_in() reuses its buffers */
	const char *argv[] = {hang, NULL};
	/* A stop requested before: nothing runs. */
	write_hang(0);
	stop_flag = 1;
	struct run_opts o = {.timeout_s = 30, .stop = &stop_flag};
	assert_int_equal(run_command(argv, &o, &out, &err, &res), -ECANCELED);
	clock_sleep(0.1);
	assert_int_equal(access(path_in("kids"), F_OK), -1);
	/* A stop requested while it runs, TERM ignored: the group is killed
	 * within the stop's grace. */
	write_hang(1);
	stop_flag = 0;
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {0, 300000}};
	setitimer(ITIMER_REAL, &it, NULL);
	double t0 = clock_mono();
	assert_int_equal(run_command(argv, &o, &out, &err, &res), -ECANCELED);
	double took = clock_mono() - t0;
	assert_true(took >= 0.3 && took < 0.3 + RUN_STOP_GRACE_S + 0.5);
	assert_int_equal(running_in("kids"), 0);
	signal(SIGALRM, SIG_DFL);
	strbuf_free(&out);
	strbuf_free(&err);
}

static void test_pidfile(void **state)
{
	(void)state;
	struct strbuf out, err;
	strbuf_init(&out, 1024);
	strbuf_init(&err, 1024);
	struct run_result res;
	/* The record is there before the command runs (it reads it), and gone after. */
	char body[256];
	snprintf(body, sizeof(body), "echo $$\ncat '%s'\n", path_in("rec.pid"));
	write_script("show", body);
	char show_path[128];
	snprintf(show_path, sizeof(show_path), "%s", path_in("show"));
	const char *show[] = {show_path, NULL};
	struct run_opts o = {.timeout_s = 10, .pidfile = path_in("rec.pid"), .deadline_unix = 1234.5};
	assert_int_equal(run_command(show, &o, &out, &err, &res), 0);
	assert_int_equal(res.exit_code, 0);
	long pid = -1, rpid = -2;
	unsigned long long start;
	char boot[64];
	double deadline;
	assert_int_equal(sscanf(strbuf_str(&out), "%ld %ld %llu %63s %lf", &pid, &rpid, &start, boot, &deadline), 5);
	assert_int_equal(pid, rpid);
	assert_true(deadline == 1234.5);
	assert_int_equal(access(path_in("rec.pid"), F_OK), -1);
	/* No record can be written: the command does not run. */
	write_script("touch", "touch \"$(dirname \"$0\")/ran\"\n");
	char touch_path[128];
	snprintf(touch_path, sizeof(touch_path), "%s", path_in("touch"));
	const char *touch[] = {touch_path, NULL};
	o.pidfile = path_in("no/such/dir/rec.pid");
	assert_int_equal(run_command(touch, &o, &out, &err, &res), HR_E_IO);
	clock_sleep(0.1);
	assert_int_equal(access(path_in("ran"), F_OK), -1);
	o.pidfile = NULL;
	assert_int_equal(run_command(touch, &o, &out, &err, &res), 0);
	assert_int_equal(access(path_in("ran"), F_OK), 0);
	/* Not a record. */
	struct run_record r;
	assert_int_equal(run_record_read(path_in("nothing.pid"), &r), HR_E_NOTFOUND);
	write_script("bad.pid", "1 2 3\n");
	assert_int_equal(run_record_read(path_in("bad.pid"), &r), HR_E_PROTOCOL);
	strbuf_free(&out);
	strbuf_free(&err);
}

/* The process that began a command is killed (kill -9) while it runs: a
 * later one finds the command in the record, running, and kills its group. */
static void test_record_outlives_its_writer(void **state)
{
	(void)state;
	write_hang(1);
	char hang[128];
	snprintf(hang, sizeof(hang), "%s", path_in("hang")); /* path_in() reuses its buffers */
	const char *argv[] = {hang, NULL};
	unlink(path_in("cmd.pid"));
	pid_t writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		struct strbuf out, err;
		strbuf_init(&out, 1024);
		strbuf_init(&err, 1024);
		struct run_result res;
		struct run_opts o = {.timeout_s = 60, .pidfile = path_in("cmd.pid"), .deadline_unix = 99};
		int rc = run_command(argv, &o, &out, &err, &res);
		_exit(rc == 0 ? 0 : 1);
	}
	wait_file("kids");
	clock_sleep(0.1);
	kill(writer, SIGKILL);
	assert_int_equal(waitpid(writer, NULL, 0), writer);
	struct run_record r;
	assert_int_equal(run_record_read(path_in("cmd.pid"), &r), 0);
	assert_true(r.deadline == 99);
	assert_true(run_record_alive(&r));
	assert_int_equal(running_in("kids"), 3);
	double t0 = clock_mono();
	run_record_kill(&r, 0.2, NULL);
	assert_true(clock_mono() - t0 < 2);
	assert_false(run_record_alive(&r));
	assert_int_equal(running_in("kids"), 0);
	/* Killing it again sends nothing: it is not running any more. */
	run_record_kill(&r, 0.2, NULL);
	/* A record of this boot's pid 1 with another start time is not it. */
	r.pid = 1;
	assert_false(run_record_alive(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose_argv),
		cmocka_unit_test(test_exec_for_real),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_group_killed_at_timeout),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_record_outlives_its_writer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
