# tooldock-test/dind: the bio image plus this machine's dockerd, containerd and runc — a second,
# isolated daemon in a container (DinD-like, shares no files with us) for copy-mode tests.
# Shared libraries the bio image lacks are copied from this machine (both are Debian bookworm).
dind_bins="/usr/sbin/dockerd /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc"
dind_tag="tooldock-test/dind:$(echo "dind-recipe-v1 $bio_tag" | recipe_key $dind_bins -)"
if ! have_image "$dind_tag"; then
  log "building $dind_tag"
  cid=$(docker create --network none "$bio_tag" true)
  for bin in $dind_bins; do docker cp "$bin" "$cid:$bin"; done
  docker commit "$cid" "$dind_tag" >/dev/null
  docker rm "$cid" >/dev/null
  missing=$(docker run --rm --network none "$dind_tag" sh -c "ldd $dind_bins | awk '/not found/ {print \$1}' | sort -u")
  if [ -n "$missing" ]; then
    cid=$(docker create --network none "$dind_tag" true)
    for lib in $missing; do
      host_lib=$(ldd $dind_bins | awk -v l="$lib" '$1 == l {print $3; exit}')
      docker cp -L "$host_lib" "$cid:/usr/lib/x86_64-linux-gnu/$lib"
    done
    docker commit "$cid" "$dind_tag" >/dev/null
    docker rm "$cid" >/dev/null
  fi
fi
images[dind]="$dind_tag"
