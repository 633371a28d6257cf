/** One line of `/proc/self/mountinfo`: where something is mounted in our namespace. */
export interface MountinfoEntry {
  /** The mount point, as seen by us. */
  mountPoint: string;
  /** The path inside the source filesystem that is mounted there. */
  root: string;
  fsType: string;
  source: string;
}

/** Parses mountinfo text (see proc(5)); octal escapes like `\040` are decoded. */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [left, right] = line.split(' - ');
    const fields = left!.split(' ');
    const [fsType, source] = (right ?? '').split(' ');
    if (fields.length < 5) continue;
    entries.push({ root: unescape(fields[3]!), mountPoint: unescape(fields[4]!), fsType: fsType ?? '', source: source ?? '' });
  }
  return entries;
}

function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
