echo "selftest: fail3.sh exits 3"
exit 3
