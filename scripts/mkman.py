#!/usr/bin/env python3
"""Write a man page from `headroom [CMD] --help`.

    mkman.py HEADROOM [CMD] OUT.1     (HEADROOM_MAN_DATE sets the date)

The page is generated from the same text `--help` prints, so the two cannot
drift: the usage lines become SYNOPSIS, the paragraphs before the first
option DESCRIPTION, the option lines OPTIONS (an unindented line ending in
':' opens a subsection), a paragraph starting "Exit status" EXIT STATUS,
"Examples:" EXAMPLES, and what follows the options NOTES. headroom(1) gets
the command list and the files and environment `headroom --help` names.

Written by hand because help2man reads one program's --help, not one page
per subcommand, and its heuristics mangle the two-column option layout.
"""
import os
import re
import subprocess
import sys

VERSION_RE = re.compile(r"headroom (\S+)")


def run(args):
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    # The sanitizer build may run this too; its reports go to stderr.
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout


def esc(text):
    """Escape text for roff: backslashes, hyphens in words that are options,
    and a leading dot or quote."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"(?<![\w])-", r"\\-", text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def paragraphs(lines):
    out, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


OPT_RE = re.compile(r"^ {1,6}(-\S.*?|[A-Z][A-Z_]+)(?: {2,}(\S.*))?$")


def option_blocks(lines):
    """Split option lines into (term, [description lines]) items. An option
    line starts with up to six spaces and a dash (or an upper-case operand
    such as TARGET); its description is after two or more spaces, and
    continues on lines indented deeper."""
    items = []
    for ln in lines:
        m = OPT_RE.match(ln)
        if m and not (items and len(ln) - len(ln.lstrip()) > items[-1][2]):
            term = m.group(1).strip()
            items.append([term, [m.group(2)] if m.group(2) else [], len(ln) - len(ln.lstrip())])
        elif items:
            items[-1][1].append(ln)
    return [(t, d) for t, d, _ in items]


NESTED_RE = re.compile(r"^\s+([a-z][\w-]*)\s{2,}(\S.*)$")


def option_body(desc):
    """roff for an option's description lines: prose, and nested
    "key   meaning" lists (sla --part's count/need/...) as an indented list."""
    out, nested = [], False
    for ln in desc:
        m = NESTED_RE.match(ln)
        if m:
            if not nested:
                out.append(".RS")
                nested = True
            out.append(".TP 10")
            out.append("\\fB%s\\fR" % esc(m.group(1)))
            out.append(esc(m.group(2)))
        elif nested and ln.startswith(" " * 20):
            out.append(esc(ln.strip()))
        else:
            if nested:
                out.append(".RE")
                nested = False
            out.append(esc(ln.strip()))
    if nested:
        out.append(".RE")
    return out


def is_option_para(p):
    return OPT_RE.match(p[0]) is not None


def page(binary, cmd, out, date):
    args = [binary] + ([cmd] if cmd else []) + ["--help"]
    text = run(args)
    version = VERSION_RE.search(run([binary, "version"])).group(1)
    summaries = {}
    for ln in run([binary, "--help"]).splitlines():
        m = re.match(r"^  (\S+)\s{2,}(.*)$", ln)
        if m:
            summaries[m.group(1)] = m.group(2)
    name = "headroom" + ("-" + cmd if cmd else "")
    summary = summaries.get(cmd) if cmd else "capacity plans, live checks, load tests and scaling from one VPS to Kubernetes"
    lines = text.rstrip("\n").split("\n")

    usage, i = [], 0
    while i < len(lines) and lines[i].strip():
        usage.append(re.sub(r"^usage:\s*", "", lines[i]).strip())
        i += 1
    paras = paragraphs(lines[i:])

    r = []
    r.append('.TH %s 1 %s "headroom %s" "headroom manual"' % (name.upper(), date, version))
    r.append(".SH NAME")
    r.append("%s \\- %s" % (esc(name), esc(summary or "")))
    r.append(".SH SYNOPSIS")
    syn = []
    for u in usage:
        if u.startswith("headroom") or not syn:
            syn.append(u)
        else:
            syn[-1] += " " + u
    for j, u in enumerate(syn):
        if j:
            r.append(".br")
        r.append(esc(u))

    desc, opts, notes, exits, examples = [], [], [], [], []
    seen_opts = False
    for p in paras:
        head = p[0].strip()
        if head.startswith("Exit status"):
            exits.append(p)
        elif head == "Examples:":
            examples.extend(x.strip() for x in p[1:])
        elif head == "Commands:" and not cmd:
            opts.append(("Commands", p[1:]))
            seen_opts = True
        elif not p[0].startswith(" ") and head.endswith(":") and len(p) > 1 and is_option_para(p[1:]):
            opts.append((head[:-1], p[1:]))
            seen_opts = True
        elif is_option_para(p):
            opts.append((None, p))
            seen_opts = True
        elif seen_opts:
            notes.append(p)
        else:
            desc.append(p)

    def prose(ps):
        for k, p in enumerate(ps):
            if k:
                r.append(".PP")
            r.extend(esc(x.strip()) for x in p)

    r.append(".SH DESCRIPTION")
    prose(desc)
    if opts:
        r.append(".SH OPTIONS" if cmd else ".SH COMMANDS")
        for title, p in opts:
            if title == "Commands":
                for ln in p:
                    m = re.match(r"^\s+(\S+)\s{2,}(.*)$", ln)
                    if m:
                        r.append(".TP")
                        r.append("\\fBheadroom\\-%s\\fR(1)" % m.group(1))
                        r.append(esc(m.group(2)))
                continue
            if title:
                r.append(".SS %s" % esc(title))
            for term, d in option_blocks(p):
                r.append(".TP")
                r.append("\\fB%s\\fR" % esc(term))
                r.extend(option_body(d))
    if notes:
        r.append(".SH NOTES")
        prose(notes)
    if exits:
        r.append(".SH EXIT STATUS")
        prose(exits)
    if examples:
        r.append(".SH EXAMPLES")
        for k, e in enumerate(examples):
            if k:
                r.append(".PP")
            r.append(".nf")
            r.append(esc(e))
            r.append(".fi")
    if not cmd:
        r.append(".SH FILES")
        for f, what in [
            ("./headroom.yaml", "the project's config, first in the search order"),
            ("$XDG_CONFIG_HOME/headroom/headroom.yaml", "the user's config (default ~/.config/headroom/headroom.yaml)"),
            ("/etc/headroom/headroom.yaml", "the host's config, read by the packaged agent"),
            ("$XDG_STATE_HOME/headroom/history.db", "the agent's history (default ~/.local/state/headroom/history.db; /var/lib/headroom/history.db as a service)"),
        ]:
            r.append(".TP")
            r.append("\\fI%s\\fR" % esc(f))
            r.append(esc(what))
        r.append(".SH ENVIRONMENT")
        for v, what in [
            ("HEADROOM_CATALOG", "a folder of price catalogue files to read instead of the installed one"),
            ("XDG_CONFIG_HOME, XDG_STATE_HOME", "where the user's config and the agent's history are"),
            ("NO_COLOR", "when set, no output is coloured"),
        ]:
            r.append(".TP")
            r.append("\\fB%s\\fR" % esc(v))
            r.append(esc(what))
    r.append(".SH SEE ALSO")
    if cmd:
        r.append("\\fBheadroom\\fR(1); the reference documentation in /usr/share/doc/headroom or docs/ of the source.")
    else:
        cmds = sorted(c for c in summaries if c != "version")
        r.append(", ".join("\\fBheadroom\\-%s\\fR(1)" % esc(c).replace("\\-", "-") for c in cmds) + ".")
    with open(out, "w") as f:
        f.write("\n".join(r) + "\n")


def main():
    # The page's date: the release's, so a build is reproducible.
    date = os.environ.get("HEADROOM_MAN_DATE", "2026-11-29")
    if len(sys.argv) == 3:
        page(sys.argv[1], None, sys.argv[2], date)
    elif len(sys.argv) == 4:
        page(sys.argv[1], sys.argv[2], sys.argv[3], date)
    else:
        sys.exit("usage: mkman.py HEADROOM [CMD] OUT.1")


if __name__ == "__main__":
    main()
