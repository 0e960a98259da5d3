echo "selftest: after.sh ran"
