#!/bin/sh
# bench/run's floor for a fresh converge: the role's steps as a plain shell script, same artifacts, no checks.
# Run on the target as root from the directory holding uv.whl and the CPython archive.
set -eu
umask 022
R=/opt/uv
here=$(pwd)
archive=$(ls "$here"/cpython-*.tar.gz)
mkdir -p $R/bin $R/python $R/python-bin $R/tools $R/tool-bin $R/downloads/python $R/cache /etc/uv
chmod 700 $R/cache
python3 -m zipfile -e "$here/uv.whl" "$here/uvw"
install -m 0755 "$here"/uvw/uv-*.data/scripts/uv "$here"/uvw/uv-*.data/scripts/uvx $R/bin/
cp "$archive" $R/downloads/python/
name=$(basename "$archive" .tar.gz)
sum=$(sha256sum "$archive" | cut -d' ' -f1)
set -- $(echo "$name" | sed 's/^cpython-\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\)-linux-\([a-z0-9_]*\)-\(gnu\)$/\1 \2 \3 \4 \5/')
cat > $R/downloads/python/downloads.json <<JSON
{"$name": {"name": "cpython", "arch": {"family": "$4", "variant": null}, "os": "linux", "libc": "$5",
 "major": $1, "minor": $2, "patch": $3, "prerelease": "", "sha256": "$sum",
 "url": "file://$R/downloads/python/$name.tar.gz", "variant": null}}
JSON
cat > /etc/uv/uv.toml <<TOML
python-downloads = "manual"
python-downloads-json-url = "$R/downloads/python/downloads.json"
no-index = true
find-links = ["/srv/wheelhouse"]
TOML
export UV_PYTHON_INSTALL_DIR=$R/python UV_PYTHON_BIN_DIR=$R/python-bin UV_TOOL_DIR=$R/tools \
    UV_TOOL_BIN_DIR=$R/tool-bin UV_CACHE_DIR=$R/cache UV_NO_PROGRESS=1
$R/bin/uv python install 3.11 --default --preview-features python-install-default
$R/bin/uv venv $R/venv --python 3.11
$R/bin/uv pip install --python $R/venv/bin/python requests
$R/bin/uv tool install pre-commit==4.3.0 --python 3.11
cat > /etc/profile.d/labfleet-uv.sh <<'SH'
PATH=/opt/uv/venv/bin:/opt/uv/tool-bin:/opt/uv/python-bin:/opt/uv/bin:$PATH
SH
