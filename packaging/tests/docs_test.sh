#!/usr/bin/env bash
# The man pages and the bash/zsh completions against the CLI's option tables
# (docgen's options list) and against `vitk NOUN VERB --help` (the parser's
# own help from the same tables), in both directions: an option in a table
# but missing from a page or a completion fails, and so does an option in a
# page or a completion that no table has.  A tampered page must fail too.
set -uo pipefail
OPTS=$1 MANDIR=$2 BASHC=$3 ZSHC=$4 VITK=$5 GEN_FLEET=$6 SOURCES=$7 EXIT_CODES_H=$8
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the options (long and short) of NOUN VERB in the tables; "- -": global options
table_opts() { awk -v n="$1" -v v="$2" '$1 == n && $2 == v { for (i = 3; i <= NF; i++) print $i }' "$OPTS" | sort -u; }

# the option names in section SECTION of a roff page (the .TP tag lines)
page_opts() {
	awk -v sec="$2" '
		/^\.SH / { in_sec = ($0 == ".SH " sec); next }
		in_sec && prev == ".TP" {
			line = $0; gsub(/\\f[BIR]/, "", line); gsub(/\\-/, "-", line)
			n = split(line, w, /[ ,]+/)
			for (i = 1; i <= n; i++) if (w[i] ~ /^--?[a-zA-Z0-9]/) print w[i]
		}
		{ prev = $0 }' "$1" | sort -u
}

bash_opts() {
	bash -c 'source "$1"; COMP_WORDS=(vitk $2 $3 -); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vitk
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHC" "$1" "$2" | sort -u
}

zsh_opts() {
	zsh -fc 'source "$1"; _vitk_opts "$2" "$3"; print -rl -- "${reply[@]%%:*}"' _ "$ZSHC" "$1" "$2" | sort -u
}

help_opts() {
	"$VITK" $1 $2 --help 2>/dev/null |
		sed -n '/^options:/,/^global options:/p' | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z0-9-]+' |
		tr -s ' ,' '\n' | sed '/^$/d' | sort -u
}

same() { # what a b
	if ! diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") >/dev/null; then
		bad "$1:"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /'
	fi
}

globals=$(table_opts - -)
[ -n "$globals" ] || bad "no global options in $OPTS"
same "vitk.1 GLOBAL OPTIONS vs the global table" "$globals" "$(page_opts "$MANDIR/vitk.1" "GLOBAL OPTIONS")"
same "bash: vitk -<TAB> vs the global table" "$globals" "$(bash_opts '' '')"
same "zsh: global options vs the global table" "$globals" "$(zsh_opts '' '')"

nverbs=0
for n in $(awk '/^  [a-z]/ { print $1 }' < <("$VITK" --help)); do
	for v in $("$VITK" "$n" --help | awk '/^  [a-z]/ { print $1 }'); do
		page="$MANDIR/vitk-$n-$v.1"
		if ! [ -e "$page" ]; then
			# an alias: its options must complete like its target's
			grep -q "\\\\fBvitk $n $v\\\\fR is another name" "$MANDIR"/vitk-"$n"-*.1 ||
				bad "no page for 'vitk $n $v'"
			continue
		fi
		nverbs=$((nverbs + 1))
		t=$(table_opts "$n" "$v")
		same "$page OPTIONS vs table" "$t" "$(page_opts "$page" OPTIONS)"
		same "$page GLOBAL OPTIONS vs table" "$globals" "$(page_opts "$page" "GLOBAL OPTIONS")"
		same "vitk $n $v --help vs table" "$t" "$(help_opts "$n" "$v")"
		same "bash: vitk $n $v -<TAB> vs table" "$(printf '%s\n' $t $globals | sed '/^$/d' | sort -u)" \
			"$(bash_opts "$n" "$v")"
		same "zsh: vitk $n $v options vs table" "$t" "$(zsh_opts "$n" "$v" | sed '/^$/d')"
		grep -q '^\.SH EXAMPLES' "$page" || bad "$page has no EXAMPLES"
	done
done
[ "$nverbs" -ge 30 ] || bad "only $nverbs verbs checked"

# the checker itself must catch a page that lost an option
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { drop = 0 } /^\.SH OPTIONS/ { sec = 1 } sec && /^\.TP/ && !done { drop = 2; done = 1 }
	drop > 0 { drop--; next } { print }' "$MANDIR/vitk-odx-copy.1" >"$tmp/vitk-odx-copy.1"
if [ "$(page_opts "$tmp/vitk-odx-copy.1" OPTIONS)" = "$(table_opts odx copy)" ]; then
	bad "a page with one option removed was not noticed"
fi

# a few completions an operator types
c() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _vitk
	echo "${COMPREPLY[*]}"' _ "$BASHC" "$@"; }
[ "$(c vitk sriov set-)" = "set-vfs" ] || bad "vitk sriov set-<TAB>: '$(c vitk sriov set-)'"
[ "$(c vitk odx copy --method '')" = "auto token xcopy host" ] || bad "--method values: '$(c vitk odx copy --method '')'"
[ "$(c vitk -o '')" = "table json csv" ] || bad "-o values"
[ "$(c vitk --db x.db od)" = "odx" ] || bad "noun after --db VALUE"
mkdir -p "$tmp/sys/bus/pci/devices/0000:3b:00.0" "$tmp/sys/bus/pci/devices/0000:00:1f.0"
touch "$tmp/sys/bus/pci/devices/0000:3b:00.0/sriov_totalvfs"
got=$(VITK_SYSFS_ROOT=$tmp/sys c vitk sriov show '')
[ "$got" = "0000:3b:00.0" ] || bad "vitk sriov show <TAB> from sysfs: '$got'"

# job ids from the inventory: `vitk odx jobs <TAB>` and `--resume <TAB>` (the vitk on PATH, --db honoured)
mkdir -p "$tmp/bin"
ln -s "$(cd "$(dirname "$VITK")" && pwd)/$(basename "$VITK")" "$tmp/bin/vitk"
"$GEN_FLEET" "$tmp/jobs.db" 2 || bad "gen_fleet"
got=$(PATH=$tmp/bin:$PATH c vitk --db "$tmp/jobs.db" odx jobs '')
[ "$got" = "job-1-1 job-1-0 job-0-1 job-0-0" ] || bad "vitk odx jobs <TAB>: '$got'"
got=$(PATH=$tmp/bin:$PATH c vitk --db "$tmp/jobs.db" odx copy --resume job-1)
[ "$got" = "job-1-1 job-1-0" ] || bad "vitk odx copy --resume job-1<TAB>: '$got'"
got=$(PATH=$tmp/bin:$PATH c vitk --db "$tmp/jobs.db" inventory report sriov_p)
[ "$got" = "sriov_pf" ] || bad "vitk inventory report sriov_p<TAB>: '$got'"
got=$(PATH=$tmp/bin:$PATH c vitk --db "$tmp/jobs.db" inventory report free)
[ "$got" = "free-vfs" ] || bad "vitk inventory report free<TAB>: '$got'"

# vitk(1) ENVIRONMENT: every variable the libraries and the CLI read, and only those
env_doc=$(awk '/^\.SH / { s = ($0 == ".SH ENVIRONMENT"); next } s && p { print; p = 0 } s && /^\.TP/ { p = 1 }' \
		"$MANDIR/vitk.1" | sed 's/^\.B //; s/\\-/-/g' | tr ',' '\n' | tr -d ' ' | sed '/^$/d' | sort -u)
srcs=$(awk '{ print $2 }' "$SOURCES")
[ -n "$srcs" ] || bad "no sources in $SOURCES"
for f in $srcs; do cat "$f"; done >"$tmp/all_sources.c"
env_read=$(grep -oE 'getenv\("[A-Z][A-Z0-9_]*"\)' "$tmp/all_sources.c" | sed 's/getenv("//; s/")//' | grep -vx 'HOME' | sort -u)
for e in $env_read; do
	grep -qx "$e" <<<"$env_doc" || bad "vitk(1) ENVIRONMENT does not name $e (read by the sources)"
done
for e in $env_doc; do
	case $e in LIBISCSI_*) continue ;; esac # read by libiscsi
	grep -q "\"$e\"" "$tmp/all_sources.c" ||
		bad "vitk(1) ENVIRONMENT names $e, which no source reads"
done
[ "$(wc -w <<<"$env_read")" -ge 5 ] || bad "only $(wc -w <<<"$env_read") environment variables found in the sources"

# vitk(1) EXIT STATUS: exactly the codes of cli/exit_codes.h
codes_h=$(grep -oE 'CLI_EXIT_[A-Z_]+ = [0-9]+' "$EXIT_CODES_H" | awk '{ print $3 }' | sort -n | tr '\n' ' ')
codes_doc=$(awk '/^\.SH / { s = ($0 == ".SH EXIT STATUS"); next } s && p { print; p = 0 } s && /^\.TP/ { p = 1 }' \
	"$MANDIR/vitk.1" | sed 's/^\.B //' | sort -n | tr '\n' ' ')
[ -n "$codes_h" ] && [ "$codes_h" = "$codes_doc" ] || bad "vitk(1) EXIT STATUS '$codes_doc' vs cli/exit_codes.h '$codes_h'"

# zsh, interactively (zpty drives a real zsh line editor with compinit and the _vitk file)
mkdir -p "$tmp/fpath"
cp "$ZSHC" "$tmp/fpath/_vitk"
cat >"$tmp/z.zsh" <<'ZSH'
# wait (up to 30 s, the machine may be busy) until the output so far matches $2
zmodload zsh/zpty
expect() {
	local line deadline=$((SECONDS + 30))
	while ((SECONDS < deadline)); do
		while zpty -r -t z line; do out+=$line; done
		[[ $out == *$~1* ]] && return 0
		sleep 0.2
	done
	return 1
}
out=
zpty z env TERM=dumb zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; PROMPT='ready> '; vitk() { :; }"
expect 'ready> ' || { print -r -- "no prompt: $out"; exit 1; }
zpty -w -n z $'vitk sriov set-\t'
expect 'vitk sriov set-vfs ' && print "ok set-vfs" || print -r -- "no set-vfs: $out"
out=
zpty -w -n z $'\x03'
expect 'ready> ' || { print -r -- "no prompt after ^C: $out"; exit 1; }
out=
zpty -w -n z $'vitk odx copy --method \t\t'
expect 'auto*host*token*xcopy' && print "ok method" || print -r -- "no method values: $out"
zpty -d z
ZSH
zout=$(timeout 100 zsh -f "$tmp/z.zsh" "$tmp/fpath" 2>&1)
grep -qx 'ok set-vfs' <<<"$zout" || bad "zsh: vitk sriov set-<TAB>: $(tail -c 300 <<<"$zout")"
grep -qx 'ok method' <<<"$zout" || bad "zsh: --method <TAB><TAB>: $(tail -c 300 <<<"$zout")"

echo "checked $nverbs verb pages; $(wc -l <"$OPTS") table options"
exit $fail
