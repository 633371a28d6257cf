# tooldock-test/notebook-base: a locally made base for examples/workbench/Dockerfile (no registry
# here): the bio image's Debian plus Debian's Jupyter and this machine's node — what the
# Dockerfile's network steps would otherwise install, so the real Dockerfile builds offline.
nb_packages="jupyter-notebook jupyter-nbconvert python3-nbclient"
node_bin=$(readlink -f "$(command -v node)")
notebook_base_tag="tooldock-test/notebook-base:$(echo "notebook-base-recipe-v1 $bio_tag $nb_packages" | recipe_key "$node_bin" -)"
if ! have_image "$notebook_base_tag"; then
  log "building $notebook_base_tag"
  root="$work/notebook-base"
  mkdir -p "$root"
  cid=$(docker create --network none "$bio_tag" true)
  docker export "$cid" | tar -C "$root" -x
  docker rm "$cid" >/dev/null
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get update -qq >"$work/nb-apt.log" 2>&1 \
    && chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $nb_packages >>"$work/nb-apt.log" 2>&1 \
    || { umount "$root/proc"; tail -n 20 "$work/nb-apt.log" >&2; exit 1; }
  umount "$root/proc"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  : > "$root/etc/resolv.conf"
  cp "$node_bin" "$root/usr/local/bin/node"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' - "$notebook_base_tag" >/dev/null
  rm -rf "$root"
fi
images[notebook_base]="$notebook_base_tag"
