# tooldock-test/cellranger-standin: NOT cellranger (that needs a licence and is not installable
# here). A busybox image whose `cellranger` script records its argv and writes the documented
# output layout, so the recipe's argument passing and output discovery run for real.
standin_tag="tooldock-test/cellranger-standin:$(echo "cellranger-standin-v1 $busybox_tag" | recipe_key -)"
if ! have_image "$standin_tag"; then
  log "building $standin_tag"
  cat > "$work/cellranger" <<'SCRIPT'
#!/bin/sh
# Stand-in: records argv, writes the layout cellranger documents. Does no analysis.
cmd=$1; shift
id=""; genome=""
for arg in "$@"; do
  case "$arg" in --id=*) id=${arg#--id=};; --genome=*) genome=${arg#--genome=};; esac
done
if [ "$cmd" = count ]; then
  outs="$id/outs"
  mkdir -p "$outs/filtered_feature_bc_matrix" "$outs/raw_feature_bc_matrix"
  for f in filtered_feature_bc_matrix.h5 raw_feature_bc_matrix.h5 molecule_info.h5 web_summary.html metrics_summary.csv; do
    echo "stand-in, not cellranger output" > "$outs/$f"
  done
  printf '%s\n' "$cmd" "$@" > "$id/argv.txt"
elif [ "$cmd" = mkref ]; then
  mkdir -p "$genome/fasta" "$genome/genes"
  printf '%s\n' "$cmd" "$@" > "$genome/argv.txt"
else
  echo "cellranger stand-in: unknown command $cmd" >&2; exit 1
fi
SCRIPT
  chmod 755 "$work/cellranger"
  cid=$(docker create --network none "$busybox_tag" true)
  docker cp "$work/cellranger" "$cid:/bin/cellranger"
  docker commit "$cid" "$standin_tag" >/dev/null
  docker rm "$cid" >/dev/null
fi
images[cellranger_standin]="$standin_tag"
