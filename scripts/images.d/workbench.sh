# tooldock-test/workbench: the bio image plus this machine's node binary — a stand-in for a
# notebook container, to run the SDK *inside* a container next to the socket (DooD tests).
# The SDK itself is bind-mounted at run time, so the image only changes with node.
node_bin=$(readlink -f "$(command -v node)")
workbench_tag="tooldock-test/workbench:$(echo "workbench-recipe-v1 $bio_tag" | recipe_key "$node_bin" -)"
if ! have_image "$workbench_tag"; then
  log "building $workbench_tag"
  cid=$(docker create --network none "$bio_tag" true)
  docker cp "$node_bin" "$cid:/usr/local/bin/node"
  docker commit "$cid" "$workbench_tag" >/dev/null
  docker rm "$cid" >/dev/null
fi
images[workbench]="$workbench_tag"
