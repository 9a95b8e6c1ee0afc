# managed-processes janitor: ends the processes of JVM $1 if that JVM dies without saying "bye"
#
# POSIX sh (dash, busybox ash, bash), run as "sh -c <this text> name JVM_PID JVM_START GRACE_CS PROTECTED" in a
# session of its own, stdin = the read end of a pipe whose only write end the JVM holds (close-on-exec,
# so no other process inherits it), stdout/stderr = /dev/null. Comment lines are stripped before use.
#
# Protocol, one line per message, written by the JVM only:
#   +g PGID START   a process group led by pid PGID whose start time is START (clock ticks since boot,
#                   field 22 of /proc/PGID/stat)
#   +p PID START    a single process (adopted, or an escaped descendant)
#   +s COOKIE       a scope: every process whose environment holds MANAGED_PROCESSES_SCOPE=COOKIE
#   +m MARKER       a scope: every process whose soft RLIMIT_RTTIME is MARKER ("Max realtime timeout" in
#                   /proc/PID/limits), which survives environment wiping and process titles
#   +c FILE         the cgroup.kill file of the JVM's own cgroup: every scope cgroup is below it
#   -g/-p/-s/-m/-c  the JVM has ended (and reaped) it: forget it
#   bye             the JVM is exiting normally and has ended its processes: exit 0 quietly
#
# End of input without "bye" means the JVM is gone, however it died. Then, for what is still registered
# AND still has its registered identity (pid + start time), plus every live process carrying a
# registered cookie or marker: SIGTERM (+SIGCONT), up to GRACE_CS centiseconds for them to go, SIGKILL;
# then "1" into every registered cgroup.kill, which ends whatever is in the JVM's cgroups at once; exit 2.
# A process whose identity no longer matches is never touched (its pid was recycled by a stranger).
# Exit 3: the pipe reached end of input while the JVM still runs (a descriptor closed by mistake in
# the JVM); that is no crash, so nothing is touched, and the JVM starts a new janitor.
#
# Only builtins on the hot path (read, case, parameter expansion): no fork per message.
jvm=$1 jvm_start=$2 grace_cs=$3 protected=" $4 " self=$$
set -f
trap '' HUP INT QUIT PIPE TSTP TTIN TTOU USR1 USR2
reg=';'
while IFS= read -r line; do
  case $line in
    bye) exit 0 ;;
    [+-][gp]\ *)
      set -- ${line#?}
      [ $# -eq 3 ] || continue
      case $2$3 in *[!0-9]*) continue ;; esac
      tok=$1:$2:$3 ;;
    [+-]s\ *)
      set -- ${line#?}
      [ $# -eq 2 ] || continue
      case $2 in *[!0-9A-Za-z_.-]*) continue ;; esac
      tok=s:$2 ;;
    [+-]m\ *)
      set -- ${line#?}
      [ $# -eq 2 ] || continue
      case $2 in *[!0-9]*) continue ;; esac
      tok=m:$2 ;;
    [+-]c\ *)
      set -- ${line#?}
      [ $# -eq 2 ] || continue
      case $2 in /*/cgroup.kill) ;; *) continue ;; esac
      case $2 in *[!0-9A-Za-z_./-]*|*..*) continue ;; esac
      tok=c:$2 ;;
    *) continue ;;
  esac
  case $line in
    +*) case $reg in *";$tok;"*) ;; *) reg=$reg$tok\; ;; esac ;;
    *) case $reg in *";$tok;"*) reg=${reg%%";$tok;"*}\;${reg#*";$tok;"} ;; esac ;;
  esac
done

# proc PID: sets state, pgrp, flags and start from /proc/PID/stat; false when there is no such process.
# Fields are counted after the last ')' because the command name may contain spaces and parentheses.
proc() {
  l=
  read -r l 2>/dev/null </proc/$1/stat
  case $l in *')'*) ;; *) return 1 ;; esac
  set -- ${l##*)}
  [ $# -ge 20 ] || return 1
  state=$1 pgrp=$3 flags=$7 start=${20}
}
# is PID START: that very process exists (a zombie too: it still holds its pid and its group id).
is() { proc "$1" && [ "$start" = "$2" ]; }
# live PID START: that very process exists and runs.
live() { is "$1" "$2" && [ "$state" != Z ] && [ "$state" != X ]; }
# Never pid 0-2 (0 and negatives mean groups to kill), this janitor, the dead JVM's pid, or a pid of
# PROTECTED: the JVM's ancestors (its parent, the build tool above it...), as the JVM's own check lists them.
safe() {
  [ "$1" -gt 2 ] && [ "$1" != "$self" ] && [ "$1" != "$jvm" ] || return 1
  case $protected in *" $1 "*) return 1 ;; esac
}
now() { read -r up _ </proc/uptime; up=${up%.*}${up#*.}; }

# A pipe closed by mistake while the JVM runs is no crash. A dying JVM is a zombie, gone, or flagged
# PF_EXITING (0x4), which the kernel sets before it closes the descriptors that gave us this EOF.
if live "$jvm" "$jvm_start" && [ $((flags & 4)) -eq 0 ]; then
  exit 3
fi
[ "$reg" = ';' ] && exit 2

groups= procs= pats= mpats= kills=
IFS=';'
set -- $reg
unset IFS
for tok; do
  kind=${tok%%:*} rest=${tok#*:}
  pid=${rest%%:*} st=${rest#*:}
  case $kind in
    g) if safe "$pid" && is "$pid" "$st"; then
         # Leader alive or a zombie with the registered start time: it holds the group id, so the
         # group is still the one the JVM created.
         groups="$groups $pid:$st"
         kill -TERM -"$pid" 2>/dev/null
         kill -CONT -"$pid" 2>/dev/null
         if [ "$state" != Z ] && [ "$state" != X ]; then
           procs="$procs $pid:$st"
           # A leader that moved itself into another group is signalled on its own too.
           [ "$pgrp" = "$pid" ] || { kill -TERM "$pid"; kill -CONT "$pid"; } 2>/dev/null
         fi
       fi ;;
    p) if safe "$pid" && live "$pid" "$st"; then
         procs="$procs $pid:$st"
         kill -TERM "$pid" 2>/dev/null
         kill -CONT "$pid" 2>/dev/null
       fi ;;
    s) pats="$pats -e MANAGED_PROCESSES_SCOPE=$rest" ;;
    m) mpats="$mpats -e ^Max.realtime.timeout[[:space:]][[:space:]]*$rest[[:space:]]" ;;
    c) kills="$kills $rest" ;;
  esac
done

# Members of the groups, one by one: if a leader dies of SIGTERM and is reaped before SIGKILL, its
# group id can no longer be checked, but members that ignored SIGTERM still get SIGKILL by identity.
if [ -n "$groups" ]; then
  set +f
  set -- /proc/[0-9]*
  set -f
  for d; do
    pid=${d#/proc/}
    proc "$pid" || continue
    case "$groups " in *" $pgrp:"*) [ "$state" = Z ] || procs="$procs $pid:$start" ;; esac
  done
fi

# scan SIGNAL: signals every live process carrying a registered cookie or marker (escaped descendants).
# One grep reads the whole table; each hit is then pinned down: start time, cookie or marker re-read,
# start time again, so the process signalled is the one that carries it, never a successor on a recycled pid.
scan() {
  hits=
  # Only the /proc paths are globbed: the marker patterns hold glob characters of their own.
  set +f
  environs=$(echo /proc/[0-9]*/environ) limits=$(echo /proc/[0-9]*/limits)
  set -f
  [ -z "$pats" ] || hits=$(grep -lszxF $pats $environs)
  [ -z "$mpats" ] || hits="$hits $(grep -ls $mpats $limits)"
  for f in $hits; do
    pid=${f#/proc/} && pid=${pid%/*}
    safe "$pid" && proc "$pid" || continue
    st=$start
    case $f in
      */environ) live "$pid" "$st" && grep -qszxF $pats /proc/$pid/environ && live "$pid" "$st" || continue ;;
      *) live "$pid" "$st" && grep -qs $mpats /proc/$pid/limits && live "$pid" "$st" || continue ;;
    esac
    kill -"$1" "$pid" 2>/dev/null
    kill -CONT "$pid" 2>/dev/null
    procs="$procs $pid:$st"
  done
}
scan TERM

# The grace period, against the clock (/proc/uptime, no fork), polled every 50 ms.
now
deadline=$((up + grace_cs))
while :; do
  any=
  for e in $procs; do
    live "${e%:*}" "${e#*:}" && any=1 && break
  done
  [ -n "$any" ] || break
  now
  [ "$up" -lt "$deadline" ] || break
  sleep 0.05 2>/dev/null || sleep 1
done

for e in $groups; do
  is "${e%:*}" "${e#*:}" && kill -KILL -"${e%:*}" 2>/dev/null
done
for e in $procs; do
  live "${e%:*}" "${e#*:}" && kill -KILL "${e%:*}" 2>/dev/null
done
scan KILL
# Whatever is in the JVM's cgroups dies at once, however it changed its group, session or environment:
# cgroup.kill is recursive. The JVM wrote the file's path; it is no process, so nothing else can be hit.
for f in $kills; do
  [ -f "$f" ] && printf 1 2>/dev/null >"$f"
done
exit 2
