#!/bin/sh
# The hostile scenario's accounts, made in one step by prepare.yml: students made from /etc/skel, one of whom
# (mallory) attacks the role in tests/hostile and has a sudo rule, as a lab's teaching assistant might.
set -eu
for u in alice bob mallory; do
    id -u "$u" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$u"
done
printf 'mallory ALL=(root) NOPASSWD: /usr/bin/true\n' >/etc/sudoers.d/mallory
chmod 0440 /etc/sudoers.d/mallory
