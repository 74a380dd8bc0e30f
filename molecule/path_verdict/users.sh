#!/bin/sh
# The path_verdict scenario's users, made in one step per host by prepare.yml (one module round trip, not forty).
#   users.sh           the lab users of both hosts, one per kind of login shell
#   users.sh shadowed  and the users who shadow the managed Python, each in another way
set -eu

user() {  # NAME SHELL: an account with a home made from /etc/skel
    id -u "$1" >/dev/null 2>&1 || useradd --create-home --shell "$2" "$1"
}
owned() {  # USER MODE PATH: stdin as the user's file
    cat >"$3"
    chown "$1:$1" "$3"
    chmod "$2" "$3"
}
line_in() {  # LINE FILE: the line at the end of the file, once
    grep -qxF "$1" "$2" || printf '%s\n' "$1" >>"$2"
}
crontab_of() {  # USER: stdin as the user's crontab, as crontab(1) keeps it
    cat >"/var/spool/cron/crontabs/$1"
    chown "$1:crontab" "/var/spool/cron/crontabs/$1"
    chmod 0600 "/var/spool/cron/crontabs/$1"
}

user alice /bin/bash
user bob /bin/sh
user carol /usr/bin/zsh
user fiona /usr/bin/fish        # fish never reads /etc/profile
user ted /usr/bin/tcsh          # tcsh reads /etc/csh.cshrc and /etc/csh.login
user nina /usr/local/bin/nu     # nushell's REPL reads its vendor autoload dirs; nu -c reads nothing
user amy /bin/bash              # made from /etc/skel like alice: probed once for both
# without a ~/.zshrc, an interactive zsh stops at zsh-newuser-install's menu
echo "# carol's zsh settings" | owned carol 0644 /home/carol/.zshrc

[ "${1-}" = shadowed ] || exit 0

user dave /bin/bash     # a foreign python dir put first in ~/.profile
user erin /bin/bash     # an alias in ~/.bashrc
user frank /bin/sh      # ~/.local/bin/python, and sudo rights
user gina /usr/bin/zsh  # a python() function in ~/.zshrc
user fred /usr/bin/fish # a foreign python dir put first in ~/.config/fish/config.fish
user tina /usr/bin/tcsh # ~/.tcshrc resets PATH
user hank /bin/bash     # skel files like alice's, but a ~/bin/python that ~/.profile puts first
user eve /bin/bash      # erin's twin: the same alias in the same ~/.bashrc

# the foreign python: the distro's python3 under another directory
install -d -m 0755 /opt/foreign/bin
ln -sfn /usr/bin/python3 /opt/foreign/bin/python

line_in 'export PATH="/opt/foreign/bin:$PATH"' /home/dave/.profile
line_in 'alias python=/usr/bin/python3' /home/erin/.bashrc
line_in 'alias python=/usr/bin/python3' /home/eve/.bashrc

install -d -o frank -g frank -m 0755 /home/frank/.local /home/frank/.local/bin
ln -sfn /usr/bin/python3 /home/frank/.local/bin/python
chown -h frank:frank /home/frank/.local/bin/python
echo 'frank ALL=(ALL) NOPASSWD: ALL' >/etc/sudoers.d/frank.new
chmod 0440 /etc/sudoers.d/frank.new
visudo -cqf /etc/sudoers.d/frank.new
mv /etc/sudoers.d/frank.new /etc/sudoers.d/frank

echo 'python() { /usr/bin/python3 "$@" }' | owned gina 0644 /home/gina/.zshrc

# dave's crontab puts the shared venv on cron's PATH; fiona's runs her jobs in fish
echo 'PATH=/opt/uv/venv/bin:/usr/bin:/bin' | crontab_of dave
echo 'SHELL=/usr/bin/fish' | crontab_of fiona

install -d -o fred -g fred -m 0755 /home/fred/.config /home/fred/.config/fish
owned fred 0644 /home/fred/.config/fish/config.fish <<'FISH'
# fred's fish settings
set -g fish_greeting ""
fish_add_path --move --path /opt/foreign/bin
FISH

owned tina 0644 /home/tina/.tcshrc <<'TCSH'
# tina's tcsh settings
setenv PATH /usr/local/bin:/usr/bin:/bin
TCSH

# Debian's ~/.profile puts ~/bin first on PATH when it exists
install -d -o hank -g hank -m 0755 /home/hank/bin
ln -sfn /usr/bin/python3 /home/hank/bin/python
chown -h hank:hank /home/hank/bin/python
