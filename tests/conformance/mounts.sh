# config.md "Linux mount options": one item per MUST and SHOULD option,
# observed in the container's /proc/self/mountinfo; then the mount cases
# runc and crun users meet (binds, user namespaces, symlinks, leaks).
source "$CELL_TESTS/conformance/lib.sh"

# mount_line OPTIONS-PY [TYPE]: run a container with a mount at /m (a tmpfs,
# or TYPE=bind: a bind of the host dir $TEST_TMP/src) with these options,
# print /m's mountinfo line: "PER-MOUNT-OPTIONS OPTIONAL-FIELDS - SUPER-OPTIONS".
# $TEST_TMP/src is a shared tmpfs of the test's (noatime): a slave needs a
# master, an atime option must change something.
mount_line() {
  local opts=$1 type=${2:-tmpfs} py
  mkdir -p "$TEST_TMP/src"
  if ! mountpoint -q "$TEST_TMP/src"; then
    mount -t tmpfs -o size=1m,noatime tmpfs "$TEST_TMP/src"
    mount --make-shared "$TEST_TMP/src"
  fi
  echo content > "$TEST_TMP/src/f"
  if [ "$type" = tmpfs ]; then
    py="c['mounts'].append({'destination': '/m', 'type': 'tmpfs', 'source': 'tmpfs', 'options': $opts})"
  else
    py="c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': $opts})"
  fi
  conf_sh "$TEST_TMP/b" 'awk '"'"'$5 == "/m" { o = $6; f = ""; for (i = 7; $i != "-"; i++) f = f " " $i; print o " [" f " ] - " $(i+3) }'"'"' /proc/self/mountinfo | tail -1; cat /m/f 2>/dev/null; true' "$py"
  conf_out "$TEST_TMP/b" "mo$RANDOM"
}

# check LINE RULE...: opt:X (per-mount option), noopt:X, sopt:X (super
# option), nosopt:X, opt-field:X (propagation field), no-field:X, content.
check_line() {
  local out=$1; shift
  local line; line=$(head -1 <<<"$out")
  local mnt=",${line%% *}," sup=",${line##* - },"
  local fields; fields=$(sed 's/.*\[\(.*\)\].*/\1/' <<<"$line")
  [ -n "$line" ] || fail "no mount at /m"
  local rule
  for rule in "$@"; do
    case $rule in
      opt:*) [[ "$mnt" == *",${rule#opt:},"* ]] || fail "/m lacks ${rule#opt:}: $line" ;;
      noopt:*) [[ "$mnt" != *",${rule#noopt:},"* ]] || fail "/m has ${rule#noopt:}: $line" ;;
      sopt:*) [[ "$sup" == *",${rule#sopt:},"* ]] || fail "/m's superblock lacks ${rule#sopt:}: $line" ;;
      nosopt:*) [[ "$sup" != *",${rule#nosopt:},"* ]] || fail "/m's superblock has ${rule#nosopt:}: $line" ;;
      field:*) [[ "$fields" == *"${rule#field:}"* ]] || fail "/m's propagation lacks ${rule#field:}: $line" ;;
      nofield:*) [[ "$fields" != *"${rule#nofield:}"* ]] || fail "/m's propagation has ${rule#nofield:}: $line" ;;
      content) [[ "$out" == *content* ]] || fail "the bind source is not visible at /m" ;;
    esac
  done
}

# define_option NAME KIND TYPE OPTIONS-PY RULES...: one item.
define_option() {
  local name=$1 kind=$2 type=$3 opts=$4; shift 4
  local rules="$*"
  eval "item_opt_$name() { check_line \"\$(mount_line \"$opts\" $type)\" $rules; }
test_option_$name() { conf_item $kind \"mount option ${name//_/ } ($type: $opts)\" item_opt_$name; }"
}

define_option async must tmpfs "['sync', 'async']" nosopt:sync
define_option atime must tmpfs "['noatime', 'atime']" noopt:noatime
define_option bind must bind "['bind']" content
define_option rbind must bind "['rbind']" content
define_option defaults must tmpfs "['defaults']" opt:rw
define_option dev must tmpfs "['nodev', 'dev']" noopt:nodev
define_option diratime must tmpfs "['nodiratime', 'diratime']" noopt:nodiratime
define_option dirsync must tmpfs "['dirsync']" sopt:dirsync
define_option exec must tmpfs "['noexec', 'exec']" noopt:noexec
define_option iversion must tmpfs "['iversion']" opt:rw
define_option lazytime must tmpfs "['lazytime']" sopt:lazytime
define_option loud must tmpfs "['silent', 'loud']" opt:rw
define_option noatime must tmpfs "['noatime']" opt:noatime
define_option nodev must tmpfs "['nodev']" opt:nodev
define_option nodiratime must tmpfs "['nodiratime']" opt:nodiratime
define_option noexec must tmpfs "['noexec']" opt:noexec
define_option noiversion must tmpfs "['iversion', 'noiversion']" opt:rw
define_option nolazytime must tmpfs "['lazytime', 'nolazytime']" nosopt:lazytime
define_option norelatime must tmpfs "['relatime', 'norelatime']" opt:relatime
define_option nostrictatime must tmpfs "['strictatime', 'nostrictatime']" opt:relatime
define_option nosuid must tmpfs "['nosuid']" opt:nosuid
define_option nosymfollow should tmpfs "['nosymfollow']" opt:nosymfollow
define_option relatime must tmpfs "['relatime']" opt:relatime noopt:noatime
define_option ro must tmpfs "['ro']" opt:ro
define_option rw must tmpfs "['ro', 'rw']" opt:rw noopt:ro
define_option silent must tmpfs "['silent']" opt:rw
define_option strictatime must tmpfs "['strictatime']" noopt:relatime noopt:noatime
define_option suid must tmpfs "['nosuid', 'suid']" noopt:nosuid
define_option symfollow should tmpfs "['nosymfollow', 'symfollow']" noopt:nosymfollow
define_option sync must tmpfs "['sync']" sopt:sync
# Propagation of a bind mount.
define_option private must bind "['bind', 'private']" content nofield:shared: nofield:master:
define_option rprivate must bind "['rbind', 'rprivate']" content nofield:shared: nofield:master:
define_option shared must bind "['bind', 'shared']" content field:shared:
define_option rshared must bind "['rbind', 'rshared']" content field:shared:
define_option slave must bind "['bind', 'slave']" content field:master: nofield:shared:
define_option rslave must bind "['rbind', 'rslave']" content field:master: nofield:shared:
define_option unbindable must bind "['bind', 'unbindable']" content field:unbindable
define_option runbindable must bind "['rbind', 'runbindable']" content field:unbindable
# The per-mount flags on bind mounts, and their order.
define_option bind_ro must bind "['bind', 'ro']" content opt:ro
define_option bind_ro_then_rw must bind "['bind', 'ro', 'rw']" content opt:rw noopt:ro
define_option bind_rw_then_ro must bind "['bind', 'rw', 'ro']" content opt:ro
define_option bind_nodev must bind "['bind', 'nodev']" content opt:nodev
define_option bind_nosuid must bind "['bind', 'nosuid']" content opt:nosuid
define_option bind_noexec must bind "['bind', 'noexec']" content opt:noexec
define_option bind_noatime must bind "['bind', 'noatime']" content opt:noatime
define_option bind_nodiratime must bind "['bind', 'nodiratime']" content opt:nodiratime
define_option bind_strictatime must bind "['bind', 'strictatime']" content noopt:relatime noopt:noatime
define_option bind_relatime must bind "['bind', 'relatime']" content opt:relatime noopt:noatime
define_option bind_atime must bind "['bind', 'atime']" content noopt:noatime
define_option bind_nosymfollow should bind "['bind', 'nosymfollow']" content opt:nosymfollow
define_option bind_sync must bind "['bind', 'sync', 'dirsync']" content

# The tmpfs's remount: a second entry for the same destination.
item_remount_ro() {
  conf_sh "$TEST_TMP/b" 'touch /m/x 2>/dev/null && echo writable; awk "\$5 == \"/m\" {print \$6}" /proc/self/mountinfo | tail -1' "
c['mounts'].append({'destination': '/m', 'type': 'tmpfs', 'source': 'tmpfs'})
c['mounts'].append({'destination': '/m', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['remount', 'ro']})"
  local out; out=$(conf_out "$TEST_TMP/b" rm1)
  assert_not_contains "$out" writable
  assert_contains "$out" ro
}
test_option_remount_makes_a_mount_read_only() {
  conf_item must "mount option remount: a later entry remounts the destination (here read-only)" item_remount_ro
}

# ---- recursive attributes (kernel 5.12): on a submount of the source ------

# The source has two submounts: sub-plain (default flags) and sub-flags
# (ro, nosuid, nodev, noexec, noatime, nodiratime, nosymfollow); made on
# the host below the test's dir, unmounted by the test's cleanup.
rec_sources() {
  mkdir -p "$TEST_TMP/src/sub-plain" "$TEST_TMP/src/sub-flags"
  mountpoint -q "$TEST_TMP/src/sub-plain" && return 0
  mount -t tmpfs -o size=1m tmpfs "$TEST_TMP/src/sub-plain"
  mount -t tmpfs -o size=1m,ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow tmpfs "$TEST_TMP/src/sub-flags"
}
# rec_line OPTS SUB: the mountinfo per-mount options of /m/SUB.
rec_line() {
  rec_sources
  conf_sh "$TEST_TMP/b" "awk '\$5 == \"/m/$2\" {print \$6}' /proc/self/mountinfo | tail -1" "
c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': $1})"
  local out; out=$(conf_out "$TEST_TMP/b" "re$RANDOM")
  [ -n "$out" ] || fail "no submount /m/$2 (rbind)"
  echo ",$out,"
}
define_recursive() {
  local name=$1 opts=$2 sub=$3 want=$4 unwanted=${5:-}
  eval "item_opt_$name() {
  local l; l=\$(rec_line \"$opts\" $sub)
  local w; for w in $want; do [[ \"\$l\" == *\",\$w,\"* ]] || fail \"/m/$sub lacks \$w: \$l\"; done
  local u; for u in $unwanted; do [[ \"\$l\" != *\",\$u,\"* ]] || fail \"/m/$sub has \$u: \$l\"; done
}
test_option_$name() { conf_item should \"mount option $name (recursive, on a submount)\" item_opt_$name; }"
}
define_recursive rro "['rbind', 'rro']" sub-plain ro
define_recursive rrw "['rbind', 'rrw']" sub-flags rw ro
define_recursive rnosuid "['rbind', 'rnosuid']" sub-plain nosuid
define_recursive rsuid "['rbind', 'rsuid']" sub-flags "" nosuid
define_recursive rnodev "['rbind', 'rnodev']" sub-plain nodev
define_recursive rdev "['rbind', 'rdev']" sub-flags "" nodev
define_recursive rnoexec "['rbind', 'rnoexec']" sub-plain noexec
define_recursive rexec "['rbind', 'rexec']" sub-flags "" noexec
define_recursive rnodiratime "['rbind', 'rnodiratime']" sub-plain nodiratime
define_recursive rdiratime "['rbind', 'rdiratime']" sub-flags "" nodiratime
define_recursive rnoatime "['rbind', 'rnoatime']" sub-plain noatime relatime
define_recursive ratime "['rbind', 'ratime']" sub-flags relatime noatime
define_recursive rrelatime "['rbind', 'rrelatime']" sub-flags relatime noatime
define_recursive rstrictatime "['rbind', 'rstrictatime']" sub-plain "" "relatime noatime"
define_recursive rnostrictatime "['rbind', 'rnostrictatime']" sub-flags relatime noatime
define_recursive rnosymfollow "['rbind', 'rnosymfollow']" sub-plain nosymfollow
define_recursive rsymfollow "['rbind', 'rsymfollow']" sub-flags "" nosymfollow

# ---- idmap ----------------------------------------------------------------

# The usual case: a container in a user namespace (0 -> 100000), a host
# dir owned by 1000 bound idmapped so that its files are the container's
# root's. A mount's mapping goes from the ids on disk (containerID) to
# the ids the mount shows (hostID, host ids), as runc and crun write it
# into the mount's user namespace.
idmap_py() {
  echo "$CONF_USERNS_PY
c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$1', 'options': ['bind', 'idmap'],
  'uidMappings': [{'containerID': 1000, 'hostID': 100000, 'size': 1}],
  'gidMappings': [{'containerID': 1000, 'hostID': 100000, 'size': 1}]})"
}
item_idmap() {
  mkdir -p "$TEST_TMP/src" && touch "$TEST_TMP/src/f" && chown 1000:1000 "$TEST_TMP/src/f"
  conf_sh "$TEST_TMP/b" 'stat -c %u:%g /m/f' "$(idmap_py "$TEST_TMP/src")"
  assert_eq "$(conf_out "$TEST_TMP/b" id1)" 0:0 "the idmapped owner"
}
test_option_idmap_with_mappings() {
  conf_item should "mount option idmap: the mount's uidMappings/gidMappings apply" item_idmap
}

item_idmap_without_mappings() {
  mkdir -p "$TEST_TMP/src"
  B=$TEST_TMP/b
  conf_bundle "$B" "c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': ['bind', 'idmap']})"
  ! rt create --bundle "$B" id2 2>"$TEST_TMP/err" || fail "idmap without mappings nor user namespace worked"
  [ -s "$TEST_TMP/err" ] || fail "no error message"
  assert_eq "$(conf_status id2)" absent
}
test_option_idmap_without_any_mapping_is_an_error() {
  conf_item should "idmap with no mappings and no user namespace: an error MUST be returned" item_idmap_without_mappings
}

# The source path goes through a symlink.
item_idmap_source_symlink() {
  mkdir -p "$TEST_TMP/real/src" && touch "$TEST_TMP/real/src/f" && chown 1000:1000 "$TEST_TMP/real/src/f"
  ln -s real "$TEST_TMP/link"
  conf_sh "$TEST_TMP/b" 'stat -c %u:%g /m/f' "$(idmap_py "$TEST_TMP/link/src")"
  assert_eq "$(conf_out "$TEST_TMP/b" id3)" 0:0
}
test_idmap_source_through_a_symlink() {
  conf_item crun "An idmapped bind whose source path has a symlink in it" item_idmap_source_symlink
}

# ---- user namespaces --------------------------------------------------------

item_userns_tmpfs_size() {
  conf_sh "$TEST_TMP/b" 'awk "\$5 == \"/m\" {print \$NF}" /proc/self/mountinfo' "$CONF_USERNS_PY
c['mounts'].append({'destination': '/m', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=2m', 'nosuid', 'nodev']})"
  assert_contains "$(conf_out "$TEST_TMP/b" ut1)" "size=2048k"
}
test_user_namespace_tmpfs_with_size() {
  conf_item crun "A tmpfs with size= in a user namespace" item_userns_tmpfs_size
}

item_userns_bind() {
  mkdir -p "$TEST_TMP/src" && echo content > "$TEST_TMP/src/f" && chmod 755 "$TEST_TMP" "$TEST_TMP/src"
  conf_sh "$TEST_TMP/b" 'cat /m/f; awk "\$5 == \"/m\" {print \$6}" /proc/self/mountinfo' "$CONF_USERNS_PY
c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': ['rbind', 'ro', 'nosuid', 'nodev']})"
  local out; out=$(conf_out "$TEST_TMP/b" ub1)
  assert_contains "$out" content
  check_line "$(tail -1 <<<"$out") [ ] - x" opt:ro opt:nosuid opt:nodev
}
test_user_namespace_bind_mount_with_flags() {
  conf_item crun "A bind mount (ro, nosuid, nodev) in a user namespace" item_userns_bind
}

# ---- symlinks and leaks -----------------------------------------------------

item_dangling_symlink_destination() {
  conf_bundle_own "$TEST_TMP/b" "c['mounts'].append({'destination': '/dangle', 'type': 'tmpfs', 'source': 'tmpfs'})
c['process']['args'] = ['sh', '-c', 'touch /dangle/x && readlink -f /dangle && grep -c \" /made/here \" /proc/self/mounts']"
  ln -s /made/here "$TEST_TMP/b/rootfs/dangle"
  local out; out=$(conf_out "$TEST_TMP/b" dg1)
  assert_eq "$out" "/made/here
1" "the mount follows the symlink inside the rootfs"
  [ -d "$TEST_TMP/b/rootfs/made/here" ] || fail "the target was not made inside the rootfs"
  [ ! -e /made/here ] || fail "the target was made on the host"
}
test_mount_destination_dangling_symlink() {
  conf_item runc "A destination that is a dangling symlink in the rootfs: its target is made inside the rootfs" item_dangling_symlink_destination
}

item_no_leak() {
  mkdir -p "$TEST_TMP/src"
  conf_sh "$TEST_TMP/b" 'sleep 5' "
c['mounts'].append({'destination': '/m', 'type': 'bind', 'source': '$TEST_TMP/src', 'options': ['rbind', 'rshared']})
c['mounts'].append({'destination': '/t', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['shared']})
c['linux']['rootfsPropagation'] = 'shared'"
  local before; before=$(awk '{print $5}' /proc/self/mountinfo | sort)
  rt run -d --bundle "$TEST_TMP/b" nl1 >/dev/null 2>"$TEST_TMP/err" || fail "run: $(cat "$TEST_TMP/err")"
  local after; after=$(awk '{print $5}' /proc/self/mountinfo | sort)
  [ "$before" = "$after" ] || fail "mounts appeared in the host's namespace: $(diff <(echo "$before") <(echo "$after") | grep '^>' | head -5)"
}
test_mounts_do_not_leak_into_the_host() {
  conf_item must "Mounts of the container (shared propagation included) do not appear in the host's mount table" item_no_leak
}
