# The repository stands on its own, and its man pages follow the binaries.

repo_root() { cd "$CELL_TESTS/.." && pwd; }

# Nothing reads the workspace's reference folder beside the repository
# (a user clones the repository alone). Only .ci/ may use it, to compare.
# DEVELOPERS.md may name it: it points the project's developers at their
# reference notes, and no build, run, test or demo step follows it. Any
# other mention fails, documentation included, since a reader would look
# for files they do not have.
test_no_reads_of_the_reference_folder() {
  local repo hits pat
  repo=$(repo_root)
  pat='\.\./shar[e]d\b|/work/shar[e]d\b'
  if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    hits=$(git -C "$repo" grep -n -I -E "$pat" -- . ':!.ci' ':!DEVELOPERS.md' || true)
    # files not committed yet count too
    hits+=$'\n'$(git -C "$repo" ls-files -z -o --exclude-standard | (cd "$repo" && xargs -0 -r grep -n -I -E "$pat" /dev/null) || true)
  else
    hits=$(grep -rn -I -E "$pat" "$repo" --exclude-dir=.ci --exclude-dir=build --exclude-dir='build-*' \
           --exclude=DEVELOPERS.md || true)
  fi
  hits=$(sed '/^$/d' <<<"$hits")
  [ -z "$hits" ] || fail "paths to the reference folder in the tree:
$hits"
  # and the check finds one when there is one
  printf 'x=$(cat ../%s/profiles/p.json)\n' shared >"$TEST_TMP/probe.sh"
  grep -q -E "$pat" "$TEST_TMP/probe.sh" || fail "the pattern misses a path to the reference folder"
}

# Every long option that `--help` prints (of cell, each command, each
# seccomp tool, cell-agent) is in its man page, as itself or as its short
# form; every command and seccomp tool has its entry.
test_man_pages_list_every_option() {
  local repo
  repo=$(repo_root)
  python3 - "$CELL_BIN" "$CELL_BUILD/cell-agent" "$repo/docs/man" <<'PY'
import re, subprocess, sys
cell, agent, man = sys.argv[1:4]

def help_opts(cmd):
    out = subprocess.run(cmd + ["--help"], capture_output=True, text=True).stdout
    opts = {}
    for line in out.splitlines():
        if not re.match(r"\s+-", line) and not line.startswith("usage") and not line.startswith("       cell"):
            continue
        for m in re.finditer(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line):
            s = re.search(r"(?<![\w-])(-[a-zA-Z]),\s+" + re.escape(m.group(1)) + r"\b", line)
            opts[m.group(1)] = s.group(1) if s else None
    opts.pop("--help", None)
    return out, opts

def page(name):
    t = open("%s/%s" % (man, name)).read()
    return re.sub(r"\\f[BIRP]", "", t.replace("\\-", "-"))

def has(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None

bad = []
def check(cmd, text, pagename):
    out, opts = help_opts(cmd)
    for o, s in sorted(opts.items()):
        if not has(text, o) and not (s and has(text, s)):
            bad.append("%s: %s (from `%s --help`)" % (pagename, o, " ".join(cmd)))
    return out

c8 = page("cell.8")
out = check([cell], c8, "cell.8")
cmds = re.findall(r"^  ([a-z]+)  ", out.split("Commands:")[1], re.M)
assert len(cmds) > 10, cmds
for c in cmds:
    if not re.search(r"^\.TP\n\\?fB%s|^%s\b|\n%s " % (c, c, c), c8, re.M) and not has(c8, c):
        bad.append("cell.8: command %s" % c)
    if c != "seccomp":
        check([cell, c], c8, "cell.8")
s1 = page("cell-seccomp.1")
out = subprocess.run([cell, "seccomp", "--help"], capture_output=True, text=True).stdout
tools = re.findall(r"^  ([a-z]+) ", out.split("Commands:")[1], re.M)
assert len(tools) >= 4, tools
for t in tools:
    if not has(s1, "cell seccomp " + t) and not has(s1, t):
        bad.append("cell-seccomp.1: tool %s" % t)
    check([cell, "seccomp", t], s1, "cell-seccomp.1")
check([agent], page("cell-agent.8"), "cell-agent.8")
print("%d commands, %d seccomp tools checked" % (len(cmds), len(tools)))
if bad:
    print("missing from the man pages:\n  " + "\n  ".join(bad))
    sys.exit(1)
PY
}

# The man pages render without a groff warning.
test_man_pages_render() {
  command -v man >/dev/null || skip "man is not installed (package man-db, make deps)"
  local p out repo
  repo=$(repo_root)
  for p in cell.8 cell-seccomp.1 cell-seccomp-language.7 cell-agent.8; do
    out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$repo/docs/man/$p" 2>&1 >/dev/null)
    [ -z "$out" ] || fail "$p: $out"
    MANWIDTH=80 man -l "$repo/docs/man/$p" 2>/dev/null | grep -q "^NAME" || fail "$p renders no NAME section"
  done
}
