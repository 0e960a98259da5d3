echo "selftest: pass.sh ran as uid $(id -u) on $(uname -r)"
