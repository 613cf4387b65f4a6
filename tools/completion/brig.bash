# SPDX-License-Identifier: GPL-2.0
#
# bash completion for brig: commands and subcommands, options, cell names
# (from brig.ko's sysfs directory, $BRIG_SYSFS in the tests), description
# files (.dts, .dtb, .cell) and images. Installed as
# /usr/share/bash-completion/completions/brig.

_brig_cells() {
	local dir=${BRIG_SYSFS:-/sys/class/misc/brig}/cells d
	for d in "$dir"/[1-9]*; do
		[ -r "$d/name" ] && cat "$d/name"
	done 2>/dev/null
}

# _brig_files PATTERN: files matching an extglob pattern, and directories
# (which readline then ends with a slash, and names it quotes).
_brig_files() {
	local IFS=$'\n' ext
	ext=$(shopt -p extglob)
	shopt -s extglob
	COMPREPLY+=($(compgen -f -X "!$1" -- "$cur") $(compgen -d -- "$cur"))
	eval "$ext"
	compopt -o filenames 2>/dev/null
}

# The line up to the cursor in words split at blanks only: bash splits
# COMP_WORDS at '=' and ':' too (--format=json, stress-ng:cpu), which
# would make those one word in three. Quotes and backslashes are not
# interpreted: a file name with a blank completes from its last part.
_brig_words() {
	local line=${COMP_LINE:0:COMP_POINT}
	read -r -a words <<<"$line"
	[[ -z $line || $line == *[[:space:]] ]] && words+=("")
	cword=$((${#words[@]} - 1))
}

_brig() {
	local cur prev cmd sub opts= words cword pre
	COMPREPLY=()
	_brig_words
	cur=${words[cword]}
	prev=${words[cword - 1]:-}
	cmd=${words[1]:-}
	sub=${words[2]:-}
	_brig_complete
	# Readline replaces only what follows the last '=' or ':' of the word.
	pre=${cur%"${cur##*[=:]}"}
	[ -n "$pre" ] && COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	return 0
}

_brig_complete() {
	if [ "$cword" = 1 ]; then
		COMPREPLY=($(compgen -W "enable disable info stats console cell config latency help --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	enable)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--skip-tool-check --help" -- "$cur")) ||
			_brig_files '*.@(dts|dtb|cell)'
		return ;;
	stats)
		COMPREPLY=($(compgen -W "--json --format=text --format=json --format=prometheus --help" -- "$cur"))
		return ;;
	console)
		COMPREPLY=($(compgen -W "--follow --help" -- "$cur"))
		return ;;
	disable|info)
		COMPREPLY=($(compgen -W "--help" -- "$cur"))
		return ;;
	esac
	if [ "$cword" = 2 ]; then
		case $cmd in
		cell) opts="create load start shutdown destroy list stats linux" ;;
		config) opts="compile check dump create collect" ;;
		latency) opts="run watch" ;;
		*) return ;; # help, --version, a command brig does not have
		esac
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		return
	fi
	case $cmd/$sub in
	cell/create|config/check|config/dump)
		_brig_files '*.@(dts|dtb|cell)' ;;
	config/compile)
		if [ "$prev" = -o ]; then
			_brig_files '*.cell'
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-o --help" -- "$cur"))
		else
			_brig_files '*.@(dts|dtb)'
		fi ;;
	config/create)
		case $prev in
		-o) _brig_files '*.dts' ;;
		--from) _brig_files '*.@(tar.gz|tgz)' ;;
		--console)
			COMPREPLY=($(compgen -W "none pio-e9 pio-8250 pio-8250:" -- "$cur")) ;;
		--hypervisor|--hypervisor-size) ;;
		*) COMPREPLY=($(compgen -W "-o --from --hypervisor --hypervisor-size --console --help" -- "$cur")) ;;
		esac ;;
	config/collect)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help" -- "$cur"))
		else
			_brig_files '*.tar.gz'
		fi ;;
	cell/linux)
		if [ "$prev" = --cmdline ]; then
			:
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--initrd --cmdline --help" -- "$cur"))
		elif [ "$cword" = 3 ]; then
			_brig_files '*.@(dts|dtb|cell)'
		else
			_brig_files '*'
		fi ;;
	cell/start|cell/shutdown|cell/destroy)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--force --help" -- "$cur"))
		elif [ "$cword" = 3 ]; then
			COMPREPLY=($(compgen -W "$(_brig_cells)" -- "$cur"))
		fi ;;
	cell/stats)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --format=text --format=json --format=prometheus --help" -- "$cur"))
		elif [ "$cword" = 3 ]; then
			COMPREPLY=($(compgen -W "$(_brig_cells)" -- "$cur"))
		fi ;;
	cell/load)
		if [ "$cword" = 3 ]; then
			COMPREPLY=($(compgen -W "$(_brig_cells)" -- "$cur"))
		elif [ "$prev" = -s ] || [ "$prev" = -a ]; then
			:
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--force -a -s --help" -- "$cur"))
		else
			_brig_files '*.bin'
		fi ;;
	cell/list)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	latency/run)
		case $prev in
		--mode) COMPREPLY=($(compgen -W "auto deadline oneshot periodic" -- "$cur")) ;;
		--load) COMPREPLY=($(compgen -W "none hackbench stress-ng:cpu stress-ng-class:cpu" -- "$cur")) ;;
		--out) COMPREPLY=($(compgen -d -- "$cur")) ;;
		--period-us|--duration|--interval-ms|--inmate-args) ;;
		*)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--period-us --duration --mode --load --out --interval-ms --inmate-args --json --quiet --help" -- "$cur"))
			elif [ "$cword" = 3 ]; then
				_brig_files '*.@(dts|dtb|cell)'
			else
				_brig_files '*.bin'
			fi ;;
		esac ;;
	latency/watch)
		case $prev in
		-d) COMPREPLY=($(compgen -f -- "${cur:-/dev/uio}")) ;;
		-n|-i) ;;
		*) COMPREPLY=($(compgen -W "-d -n -i --json --help" -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _brig brig
