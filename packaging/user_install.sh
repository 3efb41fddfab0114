#!/bin/sh
# Install the built app for the current user on Linux, or remove it (`make install-user`,
# `make uninstall-user`). Everything goes under ~/.local:
#   lib/repdesk/                                 the one-folder app
#   bin/repdesk                                  a link to its executable
#   share/applications/repdesk.desktop           the menu entry
#   share/icons/hicolor/{scalable,256x256}/apps  the icon
# The rep's data (~/.local/share/RepDesk) is never touched.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
local_dir="$HOME/.local"
app_dir="$local_dir/lib/repdesk"
link="$local_dir/bin/repdesk"
entry="$local_dir/share/applications/repdesk.desktop"
icons="$local_dir/share/icons/hicolor"

refresh_icons() {
    # Desktops notice new entries by themselves (the entry has no MIME types, so no MIME cache
    # to rebuild); an icon cache, where the user has one, must be brought up to date.
    if [ -f "$icons/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
    fi
}

install_app() {
    package_dir=$1
    if [ ! -x "$package_dir/repdesk" ]; then
        echo "No built app in $package_dir: run 'make package' first." >&2
        exit 2
    fi
    mkdir -p "$local_dir/lib" "$local_dir/bin" "$(dirname "$entry")" \
        "$icons/scalable/apps" "$icons/256x256/apps"
    # Copy beside, then swap: a failed copy leaves the installed app as it was.
    rm -rf "$app_dir.new"
    cp -R "$package_dir" "$app_dir.new"
    rm -rf "$app_dir"
    mv "$app_dir.new" "$app_dir"
    ln -sfn "$app_dir/repdesk" "$link"
    # The entry names the executable by its full path: ~/.local/bin is not on every
    # desktop session's PATH.
    sed -e "s|^Exec=.*|Exec=$app_dir/repdesk|" -e "s|^TryExec=.*|TryExec=$app_dir/repdesk|" \
        "$here/resources/repdesk.desktop" > "$entry"
    cp "$here/resources/repdesk.svg" "$icons/scalable/apps/repdesk.svg"
    cp "$here/resources/repdesk.png" "$icons/256x256/apps/repdesk.png"
    refresh_icons
    echo "Installed RepDesk in $app_dir; start it from the menu or with $link."
}

uninstall_app() {
    rm -rf "$app_dir" "$app_dir.new"
    # Only our own link: a repdesk installed otherwise (pip, say) stays.
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$app_dir/repdesk" ]; then
        rm -f "$link"
    fi
    rm -f "$entry" "$icons/scalable/apps/repdesk.svg" "$icons/256x256/apps/repdesk.png"
    # Folders this install made and left empty go too; anything else in them stays.
    for folder in "$icons/scalable/apps" "$icons/scalable" "$icons/256x256/apps" \
        "$icons/256x256" "$icons" "$local_dir/share/icons" "$(dirname "$entry")" \
        "$local_dir/lib" "$local_dir/bin"; do
        rmdir "$folder" 2>/dev/null || true
    done
    refresh_icons
    echo "Removed RepDesk from $local_dir (your data in $local_dir/share/RepDesk is kept)."
}

case "${1:-}" in
    install) install_app "${2:-dist/repdesk}" ;;
    uninstall) uninstall_app ;;
    *) echo "usage: $0 install [PACKAGE_DIR] | uninstall" >&2; exit 2 ;;
esac
