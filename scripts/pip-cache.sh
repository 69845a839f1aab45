# Sourced by the provisioning scripts: installs one PyPI package, once, into the per-user cache
# outside the repository (`$MEDSSL_CACHE`, else `$XDG_CACHE_HOME/medssl`, else ~/.cache/medssl).

medssl_cache="${MEDSSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/medssl}"

# pip_install_once NAME VERSION MARKER [NOTE]: unless $medssl_cache/NAME-VERSION/MARKER exists,
# pip-installs NAME==VERSION there. Prints the install's folder.
pip_install_once() {
  local name=$1 version=$2 marker=$3 note=${4:-}
  local site="$medssl_cache/$name-$version"
  if [ ! -e "$site/$marker" ]; then
    mkdir -p "$medssl_cache"
    # Leftovers of interrupted installs are never used; clear them before trying again.
    rm -rf "$site".partial.*
    local partial="$site.partial.$$"
    echo "medssl: installing $name==$version from PyPI into $site (once$note)" >&2
    python3 -m pip install --quiet --no-cache-dir --disable-pip-version-check \
      --target "$partial" "$name==$version" >&2
    # Rename only a complete install, so an interrupted one is never mistaken for a good one.
    rm -rf "$site"
    mv "$partial" "$site"
  fi
  echo "$site"
}
