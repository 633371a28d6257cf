#!/usr/bin/env bash
# Build the local test images (no registry is reachable here), each tagged by a key
# computed from everything that goes into it, so a rebuild happens only when the
# recipe changes. Writes the tags to .cache/test-images.json for the tests.
#   tooldock-test/busybox:<key>  busybox-static in a scratch root (~2 MB)
#   tooldock-test/bio:<key>      Debian bookworm with real samtools, bwa, FastQC
# Local stand-ins are never tagged with a real registry name.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[images] %s\n' "$*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
apt_ensure() { # package binary
  command -v "$2" >/dev/null 2>&1 && return 0
  log "installing $1"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}
recipe_key() { cat "$@" | sha256sum | cut -c1-12; }

mkdir -p .cache
work=$(mktemp -d /tmp/tooldock-images.XXXXXX)
trap 'umount "$work/bio/proc" 2>/dev/null || true; rm -rf "$work"' EXIT

# --- busybox -----------------------------------------------------------------
apt_ensure busybox-static busybox
busybox_bin=$(command -v busybox)
# Keys cover what goes into an image (bump the recipe version when its steps change), not this
# script as a whole, so unrelated edits here do not rebuild anything.
busybox_tag="tooldock-test/busybox:$(echo busybox-recipe-v1 | recipe_key "$busybox_bin" -)"
if ! have_image "$busybox_tag"; then
  log "building $busybox_tag"
  root="$work/busybox"
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp "$busybox_bin" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$busybox_tag" >/dev/null
fi

# --- bio (samtools, bwa, FastQC) ------------------------------------------------
bio_packages="samtools bwa fastqc default-jre-headless"
bio_tag="tooldock-test/bio:$(echo "bio-recipe-v1 bookworm minbase $bio_packages" | recipe_key -)"
if ! have_image "$bio_tag"; then
  apt_ensure debootstrap debootstrap
  root="$work/bio"
  log "debootstrap bookworm (minbase) for $bio_tag"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # The JRE's install script needs /proc, and FastQC then finds java.
  mount -t proc proc "$root/proc"
  log "installing $bio_packages"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $bio_packages >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log" >&2; exit 1; }
  chroot "$root" apt-get clean
  umount "$root/proc"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' - "$bio_tag" >/dev/null
fi

declare -A images=([busybox]="$busybox_tag" [bio]="$bio_tag")
# Further images (one file each, e.g. a DooD workbench or a tool stand-in) build on these two:
# each script sees $busybox_tag, $bio_tag, $work and the helpers above, and sets images[name]=tag.
for extra in scripts/images.d/*.sh; do
  [ -e "$extra" ] || continue
  # shellcheck source=/dev/null
  source "$extra"
done

{
  printf '{'
  sep=''
  for name in $(printf '%s\n' "${!images[@]}" | sort); do
    printf '%s\n  "%s": "%s"' "$sep" "$name" "${images[$name]}"
    sep=','
  done
  printf '\n}\n'
} > .cache/test-images.json
log "ready: ${images[*]}"
